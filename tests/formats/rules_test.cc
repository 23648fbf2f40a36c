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

// Profile microxcaling in each of its modes (even = rne, nearest = rna, floor = rtz). Expected
// values are microxcaling's own (_quantize_mx at commit 7bc41952, PyTorch CPU).
struct Block {
  uint32_t scale;
  uint32_t codes[32];
  float values[32];
};
Block mx_block(const std::string& fmt, std::initializer_list<uint32_t> bits) {
  float x[32] = {};
  int i = 0;
  for (uint32_t b : bits) x[i++] = u2f(b);
  Block b{};
  QuantOut o;
  o.scales = &b.scale;
  o.codes = b.codes;
  o.values = b.values;
  quantize_tensor(parse_format(fmt), x, 1, 32, o);
  return b;
}

// 0x417fffff = 16 - 2^-20: log2 in fp32 is 4, so the shared exponent is one too high, and the
// scaled element 256 (1 - 2^-24) again has exponent 8; floor then keeps 7/8 of 256.
TEST(MicroxcalingProfile, JustBelow16InEachMode) {
  const std::string f = "mxfp8_e4m3:profile=microxcaling:round=";
  for (const char* r : {"rne", "rna", "rtz"}) {
    const Block b = mx_block(f + r, {0x417FFFFFu});
    EXPECT_EQ(b.scale, 0x7Bu) << r;  // the exact rule gives 0x7a
    const bool floor = std::string(r) == "rtz";
    EXPECT_EQ(b.codes[0], floor ? 0x76u : 0x78u) << r;
    EXPECT_EQ(b.values[0], floor ? 14.0f : 16.0f) << r;
  }
  EXPECT_EQ(mx_block("mxfp8_e4m3:round=rtz", {0x417FFFFFu}).codes[0], 0x7Eu);  // exact: 448 at 0x7a
  // Unscaled casts have the element part: 15.999999 floors to 14, not 15.
  EXPECT_EQ(code("e4m3:profile=microxcaling:round=rtz", u2f(0x417FFFFFu)), 0x56u);
  EXPECT_EQ(code("e4m3:round=rtz", u2f(0x417FFFFFu)), 0x57u);
  EXPECT_EQ(code("e4m3:profile=microxcaling:round=rne", u2f(0x417FFFFFu)), 0x58u);
}

// 0x3effffff = 0.5 - 2^-25 alone in an mxfp4 block: scale 2^-4 (no log2 quirk at -1), and the
// scaled element 8 (1 - 2^-24) has exponent 3 in fp32: floor gives 4 (0.25), the exact rule 6.
TEST(MicroxcalingProfile, JustBelowHalfInEachMode) {
  const std::string f = "mxfp4:profile=microxcaling:round=";
  for (const char* r : {"rne", "rna", "rtz"}) {
    const Block b = mx_block(f + r, {0x3EFFFFFFu, 0xBEFFFFFFu});
    EXPECT_EQ(b.scale, 0x7Bu) << r;
    const bool floor = std::string(r) == "rtz";
    EXPECT_EQ(b.codes[0], floor ? 0x6u : 0x7u) << r;
    EXPECT_EQ(b.codes[1], floor ? 0xEu : 0xFu) << r;
    EXPECT_EQ(b.values[0], floor ? 0.25f : 0.375f) << r;
    EXPECT_EQ(b.values[1], floor ? -0.25f : -0.375f) << r;
  }
}

// An element whose scaled value is 0.5 - 2^-25 quanta (fp32 0x3effffff): fp32 (t + 0.5) is 1,
// so even and nearest give one quantum; an exact tie of 0.5 goes to 0 in even only; floor and
// a negative rounded to zero give -0.
TEST(MicroxcalingProfile, ScaledJustBelowHalfRoundsUpInFp32) {
  // mxfp4 with X = 0 (amax 6): quanta of 0.5, so 0x3e7fffff is 0.5 - 2^-25 quanta.
  const Block e = mx_block("mxfp4:profile=microxcaling:round=rne",
                           {0x40C00000u, 0x3E7FFFFFu, 0xBE7FFFFFu, 0x3E800000u});
  EXPECT_EQ(e.codes[1], 0x1u);
  EXPECT_EQ(e.codes[2], 0x9u);
  EXPECT_EQ(e.codes[3], 0x0u);
  EXPECT_EQ(e.values[1], 0.5f);
  EXPECT_EQ(mx_block("mxfp4:round=rne", {0x40C00000u, 0x3E7FFFFFu}).codes[1], 0x0u);  // exact
  const Block n = mx_block("mxfp4:profile=microxcaling:round=rna",
                           {0x40C00000u, 0x3E7FFFFFu, 0xBE7FFFFFu, 0x3E800000u});
  EXPECT_EQ(n.codes[1], 0x1u);
  EXPECT_EQ(n.codes[3], 0x1u);
  const Block z = mx_block("mxfp4:profile=microxcaling:round=rtz", {0x40C00000u, 0xBE7FFFFFu});
  EXPECT_EQ(z.codes[1], 0x8u);
  EXPECT_EQ(f2u(z.values[1]), 0x80000000u);
  // mxint8 with X = 0 (amax 1.5): quanta of 1/64, so 0x3bffffff is 0.5 - 2^-25 quanta.
  const Block i = mx_block("mxint8:profile=microxcaling:round=rne",
                           {0x3FC00000u, 0x3BFFFFFFu, 0xBBFFFFFFu, 0x3C000000u});
  EXPECT_EQ(i.codes[1], 0x01u);
  EXPECT_EQ(i.codes[2], 0xFFu);
  EXPECT_EQ(i.codes[3], 0x00u);
  EXPECT_EQ(i.values[1], 1.0f / 64);
  EXPECT_EQ(code("e4m3:profile=microxcaling:round=rne", u2f(0x3A7FFFFFu)), 0x01u);
  EXPECT_EQ(code("e4m3:round=rne", u2f(0x3A7FFFFFu)), 0x00u);
}

}  // namespace
}  // namespace lowp
