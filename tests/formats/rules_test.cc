// One named test per rounding case and overflow/underflow/NaN/inf rule of formats.md.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "formats/scaled.h"
#include "util/bits.h"

namespace lowp {
namespace {

float q(const std::string& fmt, float x) {
  const Format f = parse_format(fmt);
  return quantize(f.elem, x, f.cast);
}
uint32_t code(const std::string& fmt, float x) {
  const Format f = parse_format(fmt);
  return encode(f.elem, x, f.cast);
}

// formats.md section 2, "consequences worth a test each".
TEST(Rne, E4m3TieToEvenAtTheTop) {
  EXPECT_EQ(q("e4m3", 464.0f), 448.0f);
}
TEST(Rne, E4m3JustAboveTopTieIsNaN) {
  EXPECT_TRUE(std::isnan(q("e4m3", std::nextafter(464.0f, 1e9f))));
}
TEST(Rne, E5m2OverflowTieGoesToInf) {
  EXPECT_EQ(q("e5m2", 61440.0f), INFINITY);
}
TEST(Rne, E5m2BelowOverflowTieIsMax) {
  EXPECT_EQ(q("e5m2", 61439.996f), 57344.0f);
}
TEST(Rne, Fp16OverflowTie) {
  EXPECT_EQ(q("fp16", 65520.0f), INFINITY);
}
TEST(Rne, E4m3fnuzOverflowIsNaN) {
  EXPECT_TRUE(std::isnan(q("e4m3fnuz", 248.0f)));
  EXPECT_EQ(code("e4m3fnuz", 248.0f), 0x80u);
}
TEST(Rne, E2m1Cases) {
  EXPECT_EQ(q("e2m1", 7.0f), 6.0f);
  EXPECT_EQ(q("e2m1", 0.25f), 0.0f);
  EXPECT_EQ(q("e2m1", 0.75f), 1.0f);
  EXPECT_EQ(q("e2m1", 2.5f), 2.0f);
  EXPECT_EQ(q("e2m1", 3.5f), 4.0f);
  EXPECT_EQ(q("e2m1", 5.0f), 4.0f);
}
TEST(Rne, E4m3SubnormalTies) {
  EXPECT_EQ(q("e4m3", 0x1p-10f), 0.0f);
  EXPECT_EQ(q("e4m3", 1.5f * 0x1p-10f), 0x1p-9f);
}
TEST(Rne, E8m0TiesRoundUp) {
  EXPECT_EQ(code("e8m0", 1.5f), 0x80u);
  EXPECT_EQ(code("e8m0", 0.75f), 0x7Fu);
  EXPECT_EQ(code("e8m0", 0.0f), 0xFFu);
  EXPECT_EQ(code("e8m0", -2.0f), 0xFFu);
  EXPECT_EQ(code("e8m0:sat", 0.0f), 0x00u);
  EXPECT_EQ(code("e8m0:sat", -2.0f), 0x00u);
}

// Specials, section 2 steps 1-3 and 6.
TEST(Specials, NaNCodes) {
  EXPECT_EQ(code("e4m3", NAN), 0x7Fu);
  EXPECT_EQ(code("e4m3", -NAN), 0xFFu);
  EXPECT_EQ(code("e5m2", NAN), 0x7Eu);
  EXPECT_EQ(code("e4m3fnuz", -NAN), 0x80u);
  EXPECT_EQ(code("bf16", -NAN), 0xFFC0u);
  EXPECT_EQ(code("fp16", NAN), 0x7E00u);
  EXPECT_EQ(code("e8m0", NAN), 0xFFu);
}
TEST(Specials, FiniteFormatsNaNPerProfile) {
  EXPECT_EQ(code("e2m1", NAN), 0x0u);                     // lowp: +0 (counted)
  EXPECT_EQ(code("e2m1:profile=ml_dtypes", NAN), 0x8u);   // +NaN -> code of -0
  EXPECT_EQ(code("e2m1:profile=ml_dtypes", -NAN), 0x0u);  // -NaN -> +0
  EXPECT_EQ(code("e3m2:profile=ml_dtypes", NAN), 0x20u);
  EXPECT_EQ(code("e2m1:profile=te", -NAN), 0x0u);
  uint8_t flags = 0;
  encode(parse_format("e2m1").elem, NAN, {}, 0, &flags);
  EXPECT_TRUE(flags & kNanMapped);
}
TEST(Specials, InfinityRules) {
  EXPECT_EQ(q("e5m2", -INFINITY), -INFINITY);
  EXPECT_TRUE(std::isnan(q("e4m3", INFINITY)));
  EXPECT_TRUE(std::isnan(q("e4m3:sat", INFINITY)));  // saturation is for finite overflow only
  EXPECT_EQ(code("e4m3fnuz", -INFINITY), 0x80u);
  EXPECT_EQ(q("e2m1", -INFINITY), -6.0f);
  EXPECT_EQ(code("e8m0", INFINITY), 0xFFu);
  EXPECT_EQ(q("e4m3:sat:profile=microxcaling_cuda", -INFINITY), -448.0f);
  EXPECT_EQ(q("e4m3:profile=microxcaling", INFINITY), INFINITY);  // inf kept in casts
}
TEST(Specials, SignedZero) {
  EXPECT_EQ(code("e4m3", -0.0f), 0x80u);
  EXPECT_EQ(code("e4m3fnuz", -0.0f), 0x00u);
  EXPECT_EQ(code("e4m3fnuz", -1e-30f), 0x00u);  // negative underflow gives +0
  EXPECT_EQ(code("e2m1:profile=te", -0.0f), 0x0u);
  EXPECT_EQ(code("e2m1", -0.1f), 0x8u);
  EXPECT_EQ(code("e4m3:profile=microxcaling_cuda", -1e-30f), 0x00u);
}
TEST(Specials, UnsignedUseClampsNegatives) {
  EXPECT_EQ(code("ue4m3", -3.0f), 0x00u);
}

// Overflow: saturation and directed modes (section 3).
TEST(Overflow, SaturatingGivesMax) {
  EXPECT_EQ(q("e4m3:sat", 1e6f), 448.0f);
  EXPECT_EQ(q("e5m2:sat", -1e9f), -57344.0f);
  EXPECT_EQ(q("fp16:sat", 1e9f), 65504.0f);
  EXPECT_EQ(q("e2m1:nosat", 100.0f), 6.0f);  // FP4/FP6 always saturate
}
TEST(Overflow, DirectedModesFollowIeee) {
  EXPECT_EQ(q("e5m2:round=rtz", 1e9f), 57344.0f);
  EXPECT_EQ(q("e5m2:round=up", 1e9f), INFINITY);
  EXPECT_EQ(q("e5m2:round=up", -1e9f), -57344.0f);
  EXPECT_EQ(q("e5m2:round=down", 1e9f), 57344.0f);
  EXPECT_EQ(q("e5m2:round=down", -1e9f), -INFINITY);
  EXPECT_EQ(q("e4m3:round=rtz", 500.0f), 448.0f);
  EXPECT_TRUE(std::isnan(q("e4m3:round=rtz:profile=ml_dtypes", 500.0f)));  // truncation overflows
}
TEST(Underflow, FlushToZeroOption) {
  EXPECT_EQ(q("e4m3", 0x1p-8f), 0x1p-8f);
  EXPECT_EQ(q("e4m3:ftz", 0x1p-8f), 0.0f);
  EXPECT_EQ(q("e4m3:ftz", 0x1.fp-7f), 0x1p-6f);  // rounds up into the normal range: kept
}

// Each rounding mode on a tie, below and above the tie (e2m1 around 2.5: neighbours 2 and 3).
TEST(Modes, TiesAndNonTies) {
  struct Case {
    const char* mode;
    float x, want;
  };
  const Case cases[] = {
      {"rne", 2.5f, 2},  {"rne", 3.5f, 4},   {"rna", 2.5f, 3},   {"rna", -2.5f, -3},
      {"rnz", 2.5f, 2},  {"rnz", 2.75f, 3},  {"rtz", 2.99f, 2},  {"rtz", -2.99f, -2},
      {"up", 2.01f, 3},  {"up", -2.99f, -2}, {"down", 2.99f, 2}, {"down", -2.01f, -3},
      {"odd", 2.01f, 3}, {"odd", 3.5f, 3},   {"odd", 2.0f, 2},   {"rne", 2.4f, 2},
      {"rna", 2.6f, 3},
  };
  for (const auto& c : cases)
    EXPECT_EQ(q(std::string("e2m1:round=") + c.mode, c.x), c.want) << c.mode << " " << c.x;
}
TEST(Modes, IntegersRoundAndClamp) {
  EXPECT_EQ(q("int4", 2.5f), 2.0f);
  EXPECT_EQ(q("int4:round=rna", 2.5f), 3.0f);
  EXPECT_EQ(q("int4", 100.0f), 7.0f);
  EXPECT_EQ(q("int4", -100.0f), -7.0f);
  EXPECT_EQ(q("int4:full", -100.0f), -8.0f);
  EXPECT_EQ(code("int4", -1.0f), 0xFu);
  EXPECT_EQ(code("int8:profile=ml_dtypes", 130.7f), 130u & 0xFF);  // truncates and wraps
}
TEST(Modes, MxRcaleExamplesFromSpec) {
  // formats.md 4.1 worked example (RNE, mxfp4).
  const float block[8] = {7.0f, 1.0f, 0.3f, -2.6f, 0.24f, 0.26f, -5.0f, 0.0f};
  float v[8];
  uint32_t c[8], s;
  QuantOut o;
  o.values = v;
  o.codes = c;
  o.scales = &s;
  quantize_tensor(parse_format("mxfp4"), block, 1, 8, o);
  EXPECT_EQ(s, 0x7Fu);
  const uint32_t want_c[8] = {7, 2, 1, 0xD, 0, 1, 0xE, 0};
  const float want_v[8] = {6, 1, 0.5f, -3, 0, 0.5f, -4, 0};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(c[i], want_c[i]) << i;
    EXPECT_EQ(v[i], want_v[i]) << i;
  }
  quantize_tensor(parse_format("mxfp4:scale=rceil"), block, 1, 8, o);
  EXPECT_EQ(s, 0x80u);
  const float want_r[8] = {8, 1, 0, -3, 0, 0, -4, 0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(v[i], want_r[i]) << i;
}
TEST(Modes, MxSaturationExample) {
  float block[32] = {960.0f, 957.0f};
  float v[32];
  uint32_t s;
  QuantOut o;
  o.values = v;
  o.scales = &s;
  quantize_tensor(parse_format("mxfp8_e4m3"), block, 1, 32, o);
  EXPECT_EQ(s, 127u + 1);
  EXPECT_EQ(v[1], 896.0f);
  quantize_tensor(parse_format("mxfp8_e4m3:scale=rceil"), block, 1, 32, o);
  EXPECT_EQ(s, 127u + 2);
  EXPECT_EQ(v[1], 960.0f);
}
TEST(Mx, NanAndInfBlocksAreNaN) {
  float block[32] = {1.0f, INFINITY};
  float v[32];
  uint32_t s;
  QuantOut o;
  o.values = v;
  o.scales = &s;
  quantize_tensor(parse_format("mxfp4"), block, 1, 32, o);
  EXPECT_EQ(s, 0xFFu);
  for (float x : v) EXPECT_TRUE(std::isnan(x));
}
TEST(Mx, AllZeroBlockAndPartialBlock) {
  float block[40] = {};
  block[39] = 3.0f;  // the trailing partial block of 8 has its own scale
  float v[40];
  uint32_t s[2];
  QuantOut o;
  o.values = v;
  o.scales = s;
  quantize_tensor(parse_format("mxfp4"), block, 1, 40, o);
  EXPECT_EQ(s[0], 0u);  // all zero: 2^-127 (X clamped at -127)
  EXPECT_EQ(s[1], 127u - 1);
  EXPECT_EQ(v[39], 3.0f);
}

}  // namespace
}  // namespace lowp
