// NVFP4 (torchao and TE profiles) and generic scaling, checked against formats.md 4.2-4.3 step by
// step.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <vector>

#include "formats/scaled.h"
#include "util/bits.h"

namespace lowp {
namespace {

const ElementFormat kE2m1 = make_minifloat(2, 1, Specials::finite);
const ElementFormat kUe4m3 = make_unsigned(make_minifloat(4, 3, Specials::fn));

float ue4m3_rne(float v) {
  CastOptions o;
  o.saturate = true;
  return decode(kUe4m3, encode(kUe4m3, v, o));
}
float e2m1_sat(float v) {
  CastOptions o;
  o.saturate = true;
  return decode(kE2m1, encode(kE2m1, v, o));
}

std::vector<float> data(int n, unsigned seed) {
  std::vector<float> x(n);
  uint32_t s = seed;
  for (int i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    x[i] = (static_cast<float>(s >> 8) / 16777216.0f - 0.5f) *
           std::exp2f(static_cast<float>((s % 7)) - 3.0f);
  }
  return x;
}

float amax(const float* x, int n) {
  float m = 0;
  for (int i = 0; i < n; ++i) m = std::fmax(m, std::fabs(x[i]));
  return m;
}

TEST(Nvfp4, TorchaoTwoLevelStepByStep) {
  const int rows = 4, cols = 64;
  const auto x = data(rows * cols, 7);
  std::vector<float> v(x.size());
  std::vector<uint32_t> s(rows * cols / 16);
  uint32_t g_bits = 0;
  QuantOut o;
  o.values = v.data();
  o.scales = s.data();
  o.tensor_scale = &g_bits;
  quantize_tensor(parse_format("nvfp4"), x.data(), rows, cols, o);
  const float g = amax(x.data(), rows * cols) / 2688.0f;
  EXPECT_EQ(u2f(g_bits), g);
  for (int b = 0; b < rows * cols / 16; ++b) {
    const float* xb = x.data() + 16 * b;
    const float sv = ue4m3_rne(std::fmin(std::fmax((amax(xb, 16) / 6.0f) / g, 0x1p-6f), 448.0f));
    EXPECT_EQ(decode(kUe4m3, s[b]), sv) << b;
    const float enc = (1.0f / g) / sv;
    for (int i = 0; i < 16; ++i)
      EXPECT_EQ(v[16 * b + i], e2m1_sat(xb[i] * enc) * sv * g) << b << "," << i;
  }
}

TEST(Nvfp4, TorchaoSingleLevelAndZeroBlock) {
  std::vector<float> x(32, 0.0f);
  for (int i = 16; i < 32; ++i) x[i] = 0.1f * (i - 20);
  std::vector<float> v(32);
  uint32_t s[2];
  QuantOut o;
  o.values = v.data();
  o.scales = s;
  quantize_tensor(parse_format("nvfp4:levels=1"), x.data(), 1, 32, o);
  EXPECT_EQ(s[0], 0x08u);  // all-zero block: the clamp's lower bound 2^-6
  const float sv = ue4m3_rne(std::fmin(std::fmax(amax(x.data() + 16, 16) / 6.0f, 0x1p-6f), 448.0f));
  EXPECT_EQ(decode(kUe4m3, s[1]), sv);
  for (int i = 16; i < 32; ++i) EXPECT_EQ(v[i], e2m1_sat(x[i] * (1.0f / sv)) * sv);
}

TEST(Nvfp4, TeProfileStepByStep) {
  const int n = 128;
  auto x = data(n, 3);
  x[5] = -0.0f;
  for (int i = 32; i < 48; ++i) x[i] = 0.0f;  // an all-zero block: TE's scale may be 0
  std::vector<float> v(n);
  std::vector<uint32_t> s(n / 16), codes(n);
  uint32_t g_bits = 0;
  QuantOut o;
  o.values = v.data();
  o.scales = s.data();
  o.codes = codes.data();
  o.tensor_scale = &g_bits;
  quantize_tensor(parse_format("nvfp4:profile=te"), x.data(), 1, n, o);
  const float ge = std::fmin(FLT_MAX, 2688.0f / amax(x.data(), n));
  EXPECT_EQ(u2f(g_bits), 1.0f / ge);
  for (int b = 0; b < n / 16; ++b) {
    const float* xb = x.data() + 16 * b;
    const float sv = ue4m3_rne(std::fmin(448.0f, amax(xb, 16) * (ge * (1.0f / 6.0f))));
    EXPECT_EQ(decode(kUe4m3, s[b]), sv) << b;
    const float enc = std::fmin(FLT_MAX, 1.0f / (sv * (1.0f / ge)));
    for (int i = 0; i < 16; ++i) {
      const float want = e2m1_sat(xb[i] * enc) * sv * (1.0f / ge);
      EXPECT_EQ(f2u(v[16 * b + i]), f2u(want == 0 ? 0.0f : want)) << b << "," << i;
    }
  }
  EXPECT_EQ(s[2], 0u);      // zero block: scale 0 (no lower clamp)
  EXPECT_EQ(codes[5], 0u);  // -0 -> +0 under TE
}

TEST(GenericScaling, ChannelAndTensorInt) {
  const int rows = 3, cols = 10;
  const auto x = data(rows * cols, 5);
  std::vector<float> v(x.size());
  std::vector<uint32_t> s(rows);
  QuantOut o;
  o.values = v.data();
  o.scales = s.data();
  quantize_tensor(parse_format("int4:channel"), x.data(), rows, cols, o);
  for (int r = 0; r < rows; ++r) {
    const float sc = amax(x.data() + r * cols, cols) / 7.0f;
    EXPECT_EQ(u2f(s[r]), sc);
    for (int c = 0; c < cols; ++c) {
      const float y = x[r * cols + c] * (1.0f / sc);
      const float k = std::fmin(std::fmax(std::nearbyint(y), -7.0f), 7.0f);
      EXPECT_EQ(v[r * cols + c], k * sc) << r << "," << c;
    }
  }
  uint32_t st;
  o.scales = &st;
  quantize_tensor(parse_format("e4m3:tensor"), x.data(), rows, cols, o);
  EXPECT_EQ(u2f(st), amax(x.data(), rows * cols) / 448.0f);
}

TEST(GenericScaling, AxesAndTilesGroupTheRightElements) {
  // A column-axis block of 4 rows shares one scale: a big value in row 0 sets column 0's scale.
  std::vector<float> x(8 * 3, 1.0f);
  x[0] = 1000.0f;
  std::vector<uint32_t> s(2 * 3);
  QuantOut o;
  o.scales = s.data();
  quantize_tensor(parse_format("e4m3:block=4:axis=col"), x.data(), 8, 3, o);
  const ScaleGrid g = scale_grid(parse_format("e4m3:block=4:axis=col"), 8, 3);
  EXPECT_EQ(g.grid_rows, 2);
  EXPECT_EQ(g.grid_cols, 3);
  EXPECT_EQ(s[0], 127u + 9 - 8);  // floor(log2 1000) = 9, emax 8
  EXPECT_EQ(s[1], 127u - 8);
  EXPECT_EQ(s[3], 127u - 8);
  // 2D tiles 2x2 over a 4x4 tensor: the big value at (1,1) affects only tile (0,0).
  std::vector<float> y(16, 1.0f);
  y[5] = 1000.0f;
  std::vector<uint32_t> t(4);
  o.scales = t.data();
  quantize_tensor(parse_format("e4m3:tile=2x2"), y.data(), 4, 4, o);
  EXPECT_EQ(t[0], 127u + 1);
  EXPECT_EQ(t[1], 127u - 8);
  EXPECT_EQ(t[2], 127u - 8);
  EXPECT_EQ(t[3], 127u - 8);
}

TEST(GenericScaling, DequantizeInvertsQuantize) {
  for (const char* name :
       {"mxfp4", "mxint8", "nvfp4", "nvfp4:profile=te", "int4:channel", "e3m2:block=64:scale=pow2",
        "e4m3:tile=16x16", "mxfp6_e2m3:axis=col", "e2m1"}) {
    SCOPED_TRACE(name);
    const Format f = parse_format(name);
    const int rows = 20, cols = 70;
    const auto x = data(rows * cols, 9);
    std::vector<float> v(x.size()), back(x.size());
    std::vector<uint32_t> codes(x.size()),
        scales(std::max<int64_t>(1, scale_grid(f, rows, cols).count()));
    uint32_t g = 0;
    QuantOut o{codes.data(), scales.data(), &g, v.data(), nullptr};
    quantize_tensor(f, x.data(), rows, cols, o);
    dequantize_tensor(f, codes.data(), scales.data(), g, rows, cols, back.data());
    for (size_t i = 0; i < x.size(); ++i) {
      if (codes[i] == 0 && v[i] == 0) continue;  // integer -0 carries no code of its own
      EXPECT_EQ(f2u(v[i]), f2u(back[i])) << i;
    }
  }
}

}  // namespace
}  // namespace lowp
