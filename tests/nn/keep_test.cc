// Forward copies kept for backward (LinearKeep, AttentionKeep): where they serve, backward gives
// the same bits as quantizing the saved tensors again; same_values_through holds where it says.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "nn/attention.h"
#include "nn/gemm.h"
#include "nn/linear.h"
#include "nn/quantizer.h"
#include "reference.h"

namespace lowp::test {
namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// A saved activation as the models store it: quantized in place along rows.
void save(const nn::Quantizer& s, std::vector<float>& t, int64_t rows, int64_t cols,
          uint64_t step) {
  if (s.identity()) return;
  nn::quantize_operand(s.along(Axis::row), {}, t.data(), cols, t.data(), rows, cols, Axis::row,
                       nn::step_index_base(step));
}

// Inputs with ties, subnormals, large values, zeros and infinities.
std::vector<float> awkward_inputs(int64_t n, uint32_t stream) {
  std::vector<float> x = to_float(random_vec(n, stream, 4.0));
  const float special[] = {
      0.0f,    -0.0f, 1e-40f,  -3e-39f, 1.00390625f, 3.0e38f,
      -448.5f, 1e-6f, 65504.f, 3.4e38f, 240.0f,      -57344.5f,
      0.5f,    1e30f, 7.5e-3f, 1.5f,    -2.75e-5f,   std::numeric_limits<float>::infinity()};
  for (size_t i = 0; i < std::size(special) && i < x.size(); ++i) x[i * 7 % x.size()] = special[i];
  return x;
}

TEST(Keep, SameValuesThroughHoldsWhereItSays) {
  struct Case {
    const char *a, *s, *b;
    bool through;
  };
  const Case cases[] = {
      {"bf16", "bf16", "bf16", true},
      {"bf16", "fp32", "bf16", true},
      {"e4m3", "e4m3", "e4m3", true},
      {"e4m3:round=rtz", "e4m3:round=rtz", "e4m3:round=rtz", true},
      {"e5m2:sat", "fp32", "e5m2:sat", true},
      {"e4m3:tensor:scale=pow2", "fp32", "e4m3:tensor:scale=pow2", true},
      {"bf16", "e4m3", "bf16", false},                    // the saved copy loses bits
      {"e4m3", "bf16", "e4m3", false},                    // different values
      {"bf16:round=sr", "bf16", "bf16:round=sr", false},  // draws per quantizer
      {"e4m3:tensor:scale=pow2", "e4m3:tensor:scale=pow2", "e4m3:tensor:scale=pow2", false},
      {"mxfp8_e4m3", "fp32", "mxfp8_e4m3", false},  // blocks follow each GEMM's axis
      {"fp32", "fp32", "fp32", false},              // nothing to keep
  };
  const int64_t rows = 16, cols = 64;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " / " + c.s + " / " + c.b);
    const nn::Quantizer a(c.a, 1, 1), s(c.s, 1, 2), b(c.b, 1, 3);
    EXPECT_EQ(nn::same_values_through(a, s, b), c.through);
    if (!c.through) continue;
    // What it promises: b(s(x)) == a(x), whatever axis each runs along.
    for (uint32_t stream : {1u, 2u, 3u}) {
      const std::vector<float> x = awkward_inputs(rows * cols, stream);
      std::vector<float> ax(x.size()), sx = x, bsx(x.size());
      nn::quantize_operand(a.along(Axis::row), {}, x.data(), cols, ax.data(), rows, cols, Axis::row,
                           0);
      save(s, sx, rows, cols, 0);
      nn::quantize_operand(b.along(Axis::col), {}, sx.data(), cols, bsx.data(), rows, cols,
                           Axis::col, 0);
      EXPECT_TRUE(same_bits(ax, bsx));
    }
  }
}

Recipe attention_recipe(const char* format) {
  Recipe r;
  for (const char* slot : {"attn.q", "attn.k", "attn.p", "attn.v", "attn.dO", "attn.dS"})
    r.slots[slot] = format;
  return r;
}

struct AttentionRun {
  std::vector<float> out, dqkv;
  nn::AttentionKeep keep;
};

// One attention forward and backward with qkv and att saved through `saved`, as lm runs them
// (with `keep`: the saved quantization skipped where the copies cover it).
AttentionRun run_attention(const nn::AttentionQuant& q, const nn::Quantizer& saved,
                           std::vector<float> qkv, const std::vector<float>& dout, bool keep, int B,
                           int T, int C, int H, uint64_t step) {
  AttentionRun r;
  r.keep.saved_qkv = r.keep.saved_att = &saved;
  std::vector<float> att(B * H * T * T);
  r.out.assign(B * T * C, 0.0f);
  nn::attention_forward(q, r.out.data(), att.data(), qkv.data(), B, T, C, H, step,
                        keep ? &r.keep : nullptr);
  if (!keep || !r.keep.covers_qkv()) save(saved, qkv, B * T, 3 * C, step);
  if (!keep || !r.keep.covers_att()) save(saved, att, B * H * T, T, step);
  r.dqkv.assign(B * T * 3 * C, 0.0f);
  nn::attention_backward(q, r.dqkv.data(), dout.data(), qkv.data(), att.data(), B, T, C, H, step,
                         keep ? &r.keep : nullptr);
  return r;
}

TEST(Keep, AttentionCopiesGiveTheGradientsOfTheSavedTensors) {
  // T = 80 leaves a short last causal block.
  const int B = 2, T = 80, C = 32, H = 2;
  const uint64_t step = 5;
  const std::vector<float> qkv = to_float(random_vec(B * T * 3 * C, 21));
  const std::vector<float> dout = to_float(random_vec(B * T * C, 22));
  struct Case {
    const char *format, *saved;
    bool qkv, att;  // covered
  };
  const Case cases[] = {
      {"bf16", "bf16", true, true},   // the bf16 recipe: backward reads only the copies
      {"bf16", "fp32", true, false},  // P in fp32 for dS; the GEMMs still read the copies
      {"e4m3", "e4m3", true, true},
      {"bf16", "e4m3", false, false},           // the saved tensors lose bits: no copies
      {"mxfp8_e4m3", "bf16", false, false},     // blocks along each GEMM's axis
      {"bf16:round=sr", "bf16", false, false},  // stochastic rounding draws per GEMM
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.format) + " saved " + c.saved);
    nn::Streams streams{11};
    const nn::AttentionQuant q =
        nn::make_attention_quant(attention_recipe(c.format), "attn", streams);
    const nn::Quantizer saved(c.saved, 11, 99);
    const AttentionRun want = run_attention(q, saved, qkv, dout, false, B, T, C, H, step);
    const AttentionRun got = run_attention(q, saved, qkv, dout, true, B, T, C, H, step);
    // Copies exist only on the bf16 GEMM path; without it backward quantizes the saved tensors.
    EXPECT_EQ(got.keep.covers_qkv(), c.qkv && nn::bf16_gemm_enabled());
    EXPECT_EQ(got.keep.covers_att(), c.att && nn::bf16_gemm_enabled());
    EXPECT_TRUE(same_bits(got.out, want.out));
    EXPECT_TRUE(same_bits(got.dqkv, want.dqkv));
  }
}

// A NaN input (with a payload) in one piece: its copies hold the format's NaN, as quantizing the
// saved tensor again gives, so every piece keeps its copies and the bits still agree.
TEST(Keep, AttentionPieceWithANaNGivesTheSameBits) {
  const int B = 2, T = 64, C = 16, H = 2;
  std::vector<float> qkv = to_float(random_vec(B * T * 3 * C, 23));
  const std::vector<float> dout = to_float(random_vec(B * T * C, 24));
  const uint32_t nan_bits = 0x7FC01234u;  // piece (0, 0)'s Q, row 1
  std::memcpy(&qkv[3 * C + 1], &nan_bits, sizeof nan_bits);
  nn::Streams streams{12};
  const nn::AttentionQuant q = nn::make_attention_quant(attention_recipe("bf16"), "attn", streams);
  const nn::Quantizer saved("bf16", 12, 99);
  const AttentionRun want = run_attention(q, saved, qkv, dout, false, B, T, C, H, 0);
  const AttentionRun got = run_attention(q, saved, qkv, dout, true, B, T, C, H, 0);
  EXPECT_EQ(got.keep.covers_qkv(), nn::bf16_gemm_enabled());
  EXPECT_TRUE(std::isnan(got.dqkv[3 * C + 1]));
  EXPECT_TRUE(same_bits(got.out, want.out));
  EXPECT_TRUE(same_bits(got.dqkv, want.dqkv));
}

TEST(Keep, LinearCopyOfXGivesTheWeightGradientOfTheSavedX) {
  const int64_t M = 96, K = 48, N = 40;
  const uint64_t step = 2;
  const std::vector<float> x0 = to_float(random_vec(M * K, 31)),
                           w = to_float(random_vec(N * K, 32));
  const std::vector<float> dy = to_float(random_vec(M * N, 33));
  struct Case {
    const char *format, *saved;
    bool kept;
  };
  const Case cases[] = {{"bf16", "bf16", true},
                        {"bf16", "fp32", true},
                        {"e4m3", "e4m3", true},
                        {"bf16", "e4m3", false},
                        {"mxfp8_e4m3", "fp32", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.format) + " saved " + c.saved);
    nn::Streams streams{13};
    const nn::LinearQuant q = nn::make_linear_quant("lin", c.format, Transform{}, streams);
    const nn::Quantizer saved(c.saved, 13, 77);
    std::vector<float> dw_want(N * K, 0.0f), dw_got(N * K, 0.0f), y(M * N), dx(M * K, 0.0f);
    {  // without a copy: X saved, then quantized again by wgrad.x
      std::vector<float> x = x0;
      nn::linear_forward(q, y.data(), x.data(), w.data(), nullptr, M, K, N, step);
      save(saved, x, M, K, step);
      nn::linear_backward(q, dx.data(), dw_want.data(), nullptr, dy.data(), x.data(), w.data(), M,
                          K, N, step);
    }
    nn::LinearKeep keep;
    keep.saved = &saved;
    std::vector<float> x = x0;
    nn::linear_forward(q, y.data(), x.data(), w.data(), nullptr, M, K, N, step, &keep);
    EXPECT_EQ(keep.ok, c.kept && nn::bf16_gemm_enabled());
    if (!keep.ok) save(saved, x, M, K, step);
    nn::linear_backward(q, dx.data(), dw_got.data(), nullptr, dy.data(), x.data(), w.data(), M, K,
                        N, step, &keep);
    EXPECT_TRUE(same_bits(dw_got, dw_want));
  }
}

}  // namespace
}  // namespace lowp::test
