// Operand quantization: blocks along the requested axis, pieces equal to one oracle call for
// any thread count, bf16-exactness, streams, and the Hadamard transform.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "formats/scaled.h"
#include "kernels/hadamard.h"
#include "kernels/runtime.h"
#include "nn/gemm.h"
#include "nn/qgemm.h"
#include "reference.h"
#include "util/error.h"

namespace lowp::test {
namespace {

std::vector<float> transpose(const std::vector<float>& x, int64_t rows, int64_t cols) {
  std::vector<float> t(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = x[r * cols + c];
  return t;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(Quantizer, ColumnBlocksEqualRowBlocksOfTheTranspose) {
  const int64_t rows = 96, cols = 40;
  const auto x = to_float(random_vec(rows * cols, 70));
  const nn::Quantizer q("mxfp8_e4m3", 0, 0);
  std::vector<float> y(x.size()), yt(x.size());
  nn::quantize_operand(q.along(Axis::col), {}, x.data(), cols, y.data(), rows, cols, Axis::col, 0);
  // Independently: transpose, blocks along rows with the oracle, transpose back.
  const auto xt = transpose(x, rows, cols);
  fake_quantize(q.along(Axis::row), xt.data(), yt.data(), cols, rows);
  EXPECT_TRUE(same_bits(y, transpose(yt, cols, rows)));
  std::vector<float> yr(x.size());
  nn::quantize_operand(q.along(Axis::row), {}, x.data(), cols, yr.data(), rows, cols, Axis::row, 0);
  EXPECT_FALSE(same_bits(y, yr)) << "row and column blocks must differ on random data";
}

TEST(Quantizer, AxisColFormatRunsAcrossTheReductionAxis) {
  const nn::Quantizer q("mxfp4:axis=col", 0, 0);
  EXPECT_EQ(q.along(Axis::row).axis, Axis::col);
  EXPECT_EQ(q.along(Axis::col).axis, Axis::row);
  const nn::Quantizer p("mxfp4", 0, 0);
  EXPECT_EQ(p.along(Axis::row).axis, Axis::row);
  EXPECT_EQ(p.along(Axis::col).axis, Axis::col);
}

// quantize_operand splits rows into pieces where scale groups allow; whatever the split and
// thread count, the result equals one oracle call on the whole tensor with the same index base.
TEST(Quantizer, PiecesEqualOneOracleCallForAnyThreadCount) {
  const int64_t rows = 300, cols = 96;
  const auto x = to_float(random_vec(rows * cols, 71, 3.0));
  for (const char* text :
       {"mxfp8_e5m2:round=sr", "e4m3:round=sr", "bf16", "nvfp4:round=sr", "int8:channel",
        "nvfp4:tile=16x16", "e3m2:block=64:scale=pow2", "e4m3:tensor"})
    for (const Axis axis : {Axis::row, Axis::col}) {
      const nn::Quantizer q(text, 5, 9);
      const Format& f = q.along(axis);
      std::vector<float> want(x.size());
      fake_quantize(f, x.data(), want.data(), rows, cols, 12345);
      for (const int threads : {1, 2, 3}) {
        kernels::set_num_threads(threads);
        std::vector<float> got(x.size());
        nn::quantize_operand(f, {}, x.data(), cols, got.data(), rows, cols, axis, 12345);
        EXPECT_TRUE(same_bits(got, want))
            << text << " axis " << static_cast<int>(axis) << " threads " << threads;
      }
      kernels::set_num_threads(1);
    }
}

TEST(Quantizer, StridedInputIsReadRowByRow) {
  const int64_t rows = 20, cols = 32, ld = 50;
  const auto big = to_float(random_vec(rows * ld, 72));
  std::vector<float> compact(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    std::copy(big.begin() + r * ld, big.begin() + r * ld + cols, compact.begin() + r * cols);
  const nn::Quantizer q("mxfp6_e2m3", 0, 0);
  std::vector<float> a(rows * cols), b(rows * cols);
  nn::quantize_operand(q.along(Axis::row), {}, big.data(), ld, a.data(), rows, cols, Axis::row, 0);
  nn::quantize_operand(q.along(Axis::row), {}, compact.data(), cols, b.data(), rows, cols,
                       Axis::row, 0);
  EXPECT_TRUE(same_bits(a, b));
}

TEST(Quantizer, Bf16Exactness) {
  struct Case {
    const char* format;
    bool exact;
  };
  for (const Case c : {Case{"fp32", false},
                       {"bf16", true},
                       {"fp16", false},
                       {"e4m3", true},
                       {"e5m2", true},
                       {"mxfp8_e4m3", true},
                       {"mxfp6_e3m2", true},
                       {"mxfp4", true},
                       {"mxint8", true},
                       {"int8", true},
                       {"int8:channel", false},
                       {"nvfp4", false},
                       {"nvfp4:levels=1", true},
                       {"e4m3:tensor", false},
                       {"e3m4", true},
                       {"tf32", false}}) {
    const nn::Quantizer q(c.format, 0, 0);
    EXPECT_EQ(q.bf16_exact(), c.exact) << c.format;
    if (!c.exact) continue;
    // The claim on data: every quantized value has zero low 16 bits.
    const int64_t n = 4096;
    const auto x = to_float(random_vec(n, 73, 50.0));
    std::vector<float> y(n);
    nn::quantize_operand(q.along(Axis::row), {}, x.data(), 64, y.data(), n / 64, 64, Axis::row, 0);
    for (float v : y) ASSERT_EQ(std::bit_cast<uint32_t>(v) & 0xFFFFu, 0u) << c.format << " " << v;
  }
  EXPECT_TRUE(nn::Quantizer().identity());
  EXPECT_TRUE(nn::Quantizer("fp32", 0, 0).identity());
  EXPECT_FALSE(nn::Quantizer("bf16", 0, 0).identity());
}

// quantize_operand_bf16 stores exactly the values quantize_operand computes, as bf16 bits,
// whatever the input (every format here is bf16-exact). The inputs mix fresh fp32 values,
// ties, subnormals, values that round past bf16's max, inf and NaN, and pieces that already
// hold bf16 values: bf16's RNE rounds in one pass while every result is finite, the other
// formats copy bf16 values, and anything else takes the general path.
TEST(Quantizer, Bf16StorageHoldsTheQuantizedValues) {
  const int64_t rows = 96, cols = 64, n = rows * cols;
  auto fresh = to_float(random_vec(n, 91, 4.0));
  auto bf16_valued = fresh;
  for (float& v : bf16_valued) v = std::bit_cast<float>(std::bit_cast<uint32_t>(v) & 0xFFFF0000u);
  const float max_bf16 = std::bit_cast<float>(0x7F7F0000u);
  const float specials[] = {0.0f,
                            -0.0f,
                            std::bit_cast<float>(0x3F808000u),  // tie, even kept half: down
                            std::bit_cast<float>(0x3F818000u),  // tie, odd kept half: up
                            std::bit_cast<float>(0x3F80FFFFu),  // just under a carry
                            std::bit_cast<float>(0x00000001u),  // smallest fp32 subnormal
                            std::bit_cast<float>(0x00008000u),  // subnormal tie
                            std::bit_cast<float>(0x007FFFFFu),  // rounds up to the smallest normal
                            -std::bit_cast<float>(0x00018001u),
                            max_bf16,
                            std::bit_cast<float>(0x7F7F7FFFu),   // stays at max
                            std::bit_cast<float>(0x7F7F8000u)};  // tie at max: rounds past it
  for (size_t i = 0; i < std::size(specials); ++i) fresh[i * 7] = specials[i];
  struct Input {
    const char* name;
    std::vector<float> x;
  };
  std::vector<Input> inputs = {{"fresh", fresh}, {"bf16-valued", bf16_valued}};
  auto with = [&](const char* name, float v) {
    Input in{name, bf16_valued};
    in.x[n - 5] = v;
    inputs.push_back(in);
  };
  with("inf", INFINITY);
  with("nan", NAN);
  auto sane = fresh;  // the fresh values without those that overflow bf16
  for (float& v : sane)
    if (std::fabs(v) > max_bf16) v = 1.0f;
  inputs.push_back({"fresh-finite", sane});
  for (const char* format :
       {"bf16", "bf16:sat", "bf16:round=rtz", "bf16:round=sr", "e4m3:sat", "mxfp8_e4m3", "mxfp4"}) {
    const nn::Quantizer q(format, 5, 0);
    ASSERT_TRUE(q.bf16_exact()) << format;
    for (const Input& in : inputs)
      for (const Axis ax : {Axis::row, Axis::col}) {
        const Format f = q.along(ax);
        std::vector<float> want(n);
        nn::quantize_operand(f, {}, in.x.data(), cols, want.data(), rows, cols, ax, 99);
        std::vector<uint16_t> y(n);
        const bool ok =
            nn::quantize_operand_bf16(f, {}, in.x.data(), cols, y.data(), rows, cols, ax, 99);
        const std::string where = std::string(format) + " " + in.name;
        ASSERT_TRUE(ok) << where;
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(static_cast<uint32_t>(y[i]) << 16, std::bit_cast<uint32_t>(want[i]))
              << where << " at " << i << " input " << in.x[i];
      }
  }
}

// A two-level operand straight to bf16 factors (pieces quantized with the tensor's amax, then
// factored in cache) gives the bits and tensor scale of quantize_operand followed by
// factor_tensor_scale_bf16: blocks along either axis, RNE and stochastic rounding, a strided
// input, a row count that leaves a short last piece, inputs the pieces leave to the whole
// path (inf, NaN, all zeros), and the scalar path.
TEST(Quantizer, FactoredBf16PiecesEqualTheWholeTensorThenFactoring) {
  const int64_t rows = 4112, cols = 48, ld = 56, n = rows * cols;  // 16384 / 48: 352-row pieces
  std::vector<float> base = to_float(random_vec(rows * ld, 17, 3.0));
  std::vector<float> zeros(rows * ld, 0.0f), with_inf = base, with_nan = base;
  with_inf[ld * 3000 + 5] = -INFINITY;
  with_nan[ld * 17 + 2] = NAN;
  for (const bool scalar : {false, true}) {
    kernels::set_force_scalar(scalar);
    for (const char* format : {"nvfp4", "nvfp4:round=sr", "nvfp4:profile=te"})
      for (const Axis ax : {Axis::row, Axis::col})
        for (const std::vector<float>* x : {&base, &with_inf, &with_nan, &zeros})
          for (const int64_t ldx : {cols, ld}) {
            const nn::Quantizer q(format, 3, 1);
            ASSERT_TRUE(q.bf16_factored()) << format;
            const Format f = q.along(ax);
            std::vector<float> v(n);
            float g_want = 0.0f;
            nn::quantize_operand(f, {}, x->data(), ldx, v.data(), rows, cols, ax, 7, &g_want);
            std::vector<uint16_t> want(n), got(n);
            const bool ok_want = nn::factor_tensor_scale_bf16(v.data(), n, g_want, want.data());
            float g = 0.0f;
            const bool ok = nn::quantize_operand_bf16_factored(f, {}, x->data(), ldx, got.data(),
                                                               rows, cols, ax, 7, &g);
            const std::string where = std::string(format) + (ax == Axis::row ? " row" : " col") +
                                      (scalar ? " scalar" : " simd") +
                                      " ldx=" + std::to_string(ldx) +
                                      (x == &base    ? ""
                                       : x == &zeros ? " zeros"
                                                     : " inf/nan");
            EXPECT_EQ(ok, ok_want) << where;
            EXPECT_EQ(std::bit_cast<uint32_t>(g), std::bit_cast<uint32_t>(g_want)) << where;
            if (ok && ok_want) {
              EXPECT_TRUE(want == got) << where;
            }
            if (x == &base) {
              EXPECT_TRUE(ok) << where;  // finite data always factors
            }
          }
  }
  kernels::set_force_scalar(false);
}

// Two-level formats: every value is g * (a bf16 value), g the tensor scale quantize_operand
// reports; factor_tensor_scale recovers those bf16 values exactly.
TEST(Quantizer, Bf16FactoredTwoLevelFormats) {
  struct Case {
    const char* format;
    bool factored;
  };
  for (const Case c : {Case{"nvfp4", true},
                       {"nvfp4:profile=te", true},
                       {"nvfp4:round=sr", true},
                       {"e4m3:block=16:scale=ue4m3:levels=2", true},
                       {"e3m4:block=16:scale=ue4m3:levels=2", false},  // 4 mantissa bits x ue4m3
                       {"nvfp4:levels=1", false},                      // exact already
                       {"mxfp4", false},
                       {"fp32", false}}) {
    const nn::Quantizer q(c.format, 0, 0);
    EXPECT_EQ(q.bf16_factored(), c.factored) << c.format;
    EXPECT_FALSE(q.bf16_factored() && q.bf16_exact()) << c.format;
    if (!c.factored) continue;
    const int64_t rows = 64, cols = 64, n = rows * cols;
    const auto x = to_float(random_vec(n, 74, 3.0));
    std::vector<float> v(n), y(n);
    float g = 0;
    nn::quantize_operand(q.along(Axis::row), {}, x.data(), cols, v.data(), rows, cols, Axis::row, 0,
                         &g);
    EXPECT_NE(g, 1.0f) << c.format;  // a real tensor scale came back
    ASSERT_TRUE(nn::factor_tensor_scale(v.data(), n, g, y.data())) << c.format;
    std::vector<uint16_t> h(n);  // the same factors as bf16 bits
    ASSERT_TRUE(nn::factor_tensor_scale_bf16(v.data(), n, g, h.data())) << c.format;
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_EQ(std::bit_cast<uint32_t>(y[i]) & 0xFFFFu, 0u) << c.format << " " << y[i];
      ASSERT_EQ(std::bit_cast<uint32_t>(y[i] * g), std::bit_cast<uint32_t>(v[i])) << c.format;
      ASSERT_EQ(std::bit_cast<uint32_t>(y[i]) >> 16, h[i]) << c.format;
    }
  }
  // Values that do not come back (fp32 subnormal products, NaN, a subnormal g) say so.
  std::vector<float> y(2);
  const float sub[2] = {1e-40f, 2.0f};
  EXPECT_FALSE(nn::factor_tensor_scale(sub, 2, 1e-30f, y.data()));
  const float nan[2] = {NAN, 1.0f};
  EXPECT_FALSE(nn::factor_tensor_scale(nan, 2, 0.5f, y.data()));
  uint16_t h[2];
  EXPECT_FALSE(nn::factor_tensor_scale_bf16(nan, 2, 0.5f, h));
  EXPECT_FALSE(nn::factor_tensor_scale_bf16(sub, 2, 1e-30f, h));
  const float ok[2] = {0.75f, -3.0f};
  EXPECT_FALSE(nn::factor_tensor_scale(ok, 2, 1e-40f, y.data()));
  EXPECT_TRUE(nn::factor_tensor_scale(ok, 2, 0.25f, y.data()));
  EXPECT_EQ(y[0], 3.0f);
  EXPECT_EQ(y[1], -12.0f);
}

// An NVFP4 GEMM site multiplies the bf16 factors and scales C by both tensor scales: the bf16
// path runs and C is the product of the quantized operands up to rounding. An operand whose
// values cannot be factored (fp32 subnormal) takes the fp32 path.
TEST(Quantizer, Nvfp4SiteRunsInBf16WithTensorScalesOnC) {
  const int64_t M = 48, N = 40, K = 64;
  nn::Streams streams;
  const auto site =
      nn::make_site("l", "fwd", "fwd.x", "nvfp4", "fwd.w", "nvfp4:profile=te", {}, streams);
  for (const double mag : {1.0, 1e-36}) {
    const auto A = to_float(random_vec(M * K, 78, mag)), B = to_float(random_vec(N * K, 79));
    std::vector<float> qa, qb, c(M * N);
    nn::GemmPath ran = nn::GemmPath::fp32;
    nn::set_gemm_tap([&](const nn::GemmRecord& r) {
      ran = r.path;
      qa.assign(r.a.quantized.p, r.a.quantized.p + M * K);
      qb.assign(r.b.quantized.p, r.b.quantized.p + N * K);
    });
    nn::qgemm(site, M, N, K, 1.0f, {A.data(), K, false}, {B.data(), K, true}, 0.0f, c.data(), N, 0);
    nn::set_gemm_tap({});
    EXPECT_EQ(ran, mag == 1.0 && nn::bf16_gemm_enabled() ? nn::GemmPath::bf16 : nn::GemmPath::fp32)
        << "magnitude " << mag;
    Vec want(M * N);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k) want[m * N + n] += double{qa[m * K + k]} * qb[n * K + k];
    expect_tensor_near("nvfp4 gemm", c.data(), want, K + 2);
  }
}

TEST(Quantizer, StreamsSeparateStochasticRounding) {
  const auto x = to_float(random_vec(512, 74));
  auto run = [&](uint64_t seed, uint32_t stream) {
    const nn::Quantizer q("e4m3:round=sr", seed, stream);
    std::vector<float> y(x.size());
    nn::quantize_operand(q.along(Axis::row), {}, x.data(), 32, y.data(), 16, 32, Axis::row, 0);
    return y;
  };
  EXPECT_TRUE(same_bits(run(1, 2), run(1, 2)));
  EXPECT_FALSE(same_bits(run(1, 2), run(1, 3)));
  EXPECT_FALSE(same_bits(run(1, 2), run(7, 2)));
  // Every quantizer of a site gets its own stream.
  nn::Streams streams;
  const auto s = nn::make_site("l", "fwd", "fwd.x", "e4m3:round=sr", "fwd.w", "e4m3:round=sr",
                               Transform{}, streams);
  EXPECT_NE(s.a.along(Axis::row).cast.stream, s.b.along(Axis::row).cast.stream);
  EXPECT_THROW(
      nn::make_site("l", "fwd", "fwd.x", "e4m3:bogus", "fwd.w", "fp32", Transform{}, streams),
      Error);
}

// ---- Hadamard ---------------------------------------------------------------------------

// quantize_operand applies the transform piece by piece (the column axis: pieces of whole
// blocks, each with the signs of its first row) on a strided input; with fp32 as the format
// the result is the kernels' transform of the whole compact tensor, bit for bit.
TEST(Hadamard, PiecesOfAStridedOperandEqualOneTransform) {
  const int64_t rows = 1024, cols = 40, ld = 45;  // several pieces of 16384 elements
  const auto x = to_float(random_vec(rows * ld, 75));
  std::vector<float> compact(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    std::copy(x.begin() + r * ld, x.begin() + r * ld + cols, compact.begin() + r * cols);
  nn::Hadamard h;
  h.n = 32;
  h.random_signs = true;
  h.seed = 3;
  h.stream = 4;
  h.sign_base = uint64_t{7} << 32;
  for (const Axis axis : {Axis::row, Axis::col}) {
    h.n = axis == Axis::row ? 8 : 32;
    std::vector<float> want(compact.size()), got(compact.size());
    kernels::hadamard(h, compact.data(), cols, want.data(), rows, cols, axis);
    for (const int threads : {1, 2}) {
      kernels::set_num_threads(threads);
      nn::quantize_operand(parse_format("fp32"), h, x.data(), ld, got.data(), rows, cols, axis, 0);
      EXPECT_TRUE(same_bits(got, want))
          << "axis " << static_cast<int>(axis) << " threads " << threads;
    }
  }
  kernels::set_num_threads(1);
  std::vector<float> y(compact.size());
  h.n = 64;  // does not divide the 40 columns
  EXPECT_THROW(nn::quantize_operand(parse_format("fp32"), h, x.data(), ld, y.data(), rows, cols,
                                    Axis::row, 0),
               Error);
}

// A transform on both operands cancels: a quantized GEMM site in fp32 with a Hadamard
// transform gives the plain product up to rounding.
TEST(Hadamard, CancelsInsideAGemmSite) {
  const int64_t M = 40, N = 24, K = 64;
  const auto A = to_float(random_vec(M * K, 76)), B = to_float(random_vec(N * K, 77));
  Transform t;
  t.hadamard = 32;
  t.random_signs = true;
  nn::Streams streams;
  const auto site = nn::make_site("l", "fwd", "fwd.x", "fp32", "fwd.w", "fp32", t, streams);
  std::vector<float> c(M * N), plain(M * N);
  nn::qgemm(site, M, N, K, 1.0f, {A.data(), K, false}, {B.data(), K, true}, 0.0f, c.data(), N, 0);
  Vec want(M * N);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) want[m * N + n] += double{A[m * K + k]} * B[n * K + k];
  expect_tensor_near("transformed gemm", c.data(), want, K);
  // And it did transform: the operands the tap sees differ from the raw ones.
  bool transformed = false;
  nn::set_gemm_tap([&](const nn::GemmRecord& r) {
    transformed = r.a.quantized.p != r.a.raw.p && r.a.quantized.p[0] != r.a.raw.p[0];
  });
  nn::qgemm(site, M, N, K, 1.0f, {A.data(), K, false}, {B.data(), K, true}, 0.0f, c.data(), N, 0);
  nn::set_gemm_tap({});
  EXPECT_TRUE(transformed);
}

}  // namespace
}  // namespace lowp::test
