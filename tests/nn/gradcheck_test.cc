// Every nn/ layer's forward against a double reference, and its backward against central
// differences of that reference (gradients accumulate into buffers pre-filled with kPrefill).
#include <gtest/gtest.h>

#include "nn/attention.h"
#include "nn/layers.h"
#include "nn/linear.h"
#include "nn/norm.h"
#include "reference.h"
#include "util/error.h"

namespace lowp::test {
namespace {

constexpr float kPrefill = 0.25f;  // backward must add to this, not overwrite it

std::vector<float> filled(size_t n) {
  return std::vector<float>(n, kPrefill);
}

TEST(GradCheck, Linear) {
  for (const bool bias : {false, true}) {
    const int M = 5, K = 7, N = 3;
    Vec x = rounded(random_vec(M * K, 1)), w = rounded(random_vec(N * K, 2)),
        b = rounded(random_vec(N, 3)), r = rounded(random_vec(M * N, 4));
    nn::Streams streams;
    const nn::LinearQuant q = nn::make_linear_quant(Recipe{}, "lin", streams);
    auto xf = to_float(x), wf = to_float(w), bf = to_float(b), rf = to_float(r);
    std::vector<float> y(M * N);
    nn::linear_forward(q, y.data(), xf.data(), wf.data(), bias ? bf.data() : nullptr, M, K, N, 0);
    expect_tensor_near("linear y", y.data(), ref_linear(x, w, bias ? &b : nullptr, M, K, N), K);
    auto loss = [&] { return dot(ref_linear(x, w, bias ? &b : nullptr, M, K, N), r); };
    auto dx = filled(M * K), dw = filled(N * K), db = filled(N);
    nn::linear_backward(q, dx.data(), dw.data(), bias ? db.data() : nullptr, rf.data(), xf.data(),
                        wf.data(), M, K, N, 0);
    expect_tensor_near("linear dx", dx.data(), numeric_grad(x, loss), N, kPrefill);
    expect_tensor_near("linear dw", dw.data(), numeric_grad(w, loss), M, kPrefill);
    if (bias) expect_tensor_near("linear db", db.data(), numeric_grad(b, loss), M, kPrefill);
  }
}

TEST(GradCheck, RMSNorm) {
  const int N = 6, C = 10;
  const float eps = 1e-5f;
  Vec x = rounded(random_vec(N * C, 5)), g = rounded(random_vec(C, 6)),
      r = rounded(random_vec(N * C, 7));
  auto xf = to_float(x), gf = to_float(g), rf = to_float(r);
  std::vector<float> y(N * C), rstd(N);
  nn::rmsnorm_forward(y.data(), rstd.data(), xf.data(), gf.data(), N, C, eps);
  expect_tensor_near("rmsnorm y", y.data(), ref_rmsnorm(x, g, N, C, eps), C);
  auto loss = [&] { return dot(ref_rmsnorm(x, g, N, C, eps), r); };
  auto dx = filled(N * C), dg = filled(C);
  nn::rmsnorm_backward(dx.data(), dg.data(), rf.data(), xf.data(), gf.data(), rstd.data(), N, C);
  expect_tensor_near("rmsnorm dx", dx.data(), numeric_grad(x, loss), C, kPrefill);
  expect_tensor_near("rmsnorm dg", dg.data(), numeric_grad(g, loss), N, kPrefill);
}

TEST(GradCheck, LayerNorm) {
  const int N = 70, C = 9;  // more rows than one piece of the parameter-gradient sums
  const float eps = 1e-5f;
  Vec x = rounded(random_vec(N * C, 8)), g = rounded(random_vec(C, 9)),
      b = rounded(random_vec(C, 10)), r = rounded(random_vec(N * C, 11));
  auto xf = to_float(x), gf = to_float(g), bf = to_float(b), rf = to_float(r);
  std::vector<float> y(N * C), mean(N), rstd(N);
  nn::layernorm_forward(y.data(), mean.data(), rstd.data(), xf.data(), gf.data(), bf.data(), N, C,
                        eps);
  expect_tensor_near("layernorm y", y.data(), ref_layernorm(x, g, b, N, C, eps), C);
  auto loss = [&] { return dot(ref_layernorm(x, g, b, N, C, eps), r); };
  auto dx = filled(N * C), dg = filled(C), db = filled(C);
  nn::layernorm_backward(dx.data(), dg.data(), db.data(), rf.data(), xf.data(), gf.data(),
                         mean.data(), rstd.data(), N, C);
  expect_tensor_near("layernorm dx", dx.data(), numeric_grad(x, loss), C, kPrefill);
  expect_tensor_near("layernorm dg", dg.data(), numeric_grad(g, loss), N, kPrefill);
  expect_tensor_near("layernorm db", db.data(), numeric_grad(b, loss), N, kPrefill);
}

TEST(GradCheck, RoPE) {
  const int B = 2, T = 5, C = 8, H = 2, D = C / H;
  const double theta = 10000.0;
  Vec x = rounded(random_vec(B * T * 3 * C, 12)), r = rounded(random_vec(B * T * 3 * C, 13));
  std::vector<float> cs(T * D / 2), sn(T * D / 2);
  nn::rope_table(cs.data(), sn.data(), T, D, theta);
  auto y = to_float(x);
  nn::rope_forward(y.data(), cs.data(), sn.data(), B, T, C, H);
  expect_tensor_near("rope y", y.data(), ref_rope(x, B, T, C, H, theta), 2);
  // In place: the gradient buffer holds dy on entry and dx on exit (v passes through).
  auto d = to_float(r);
  nn::rope_backward(d.data(), cs.data(), sn.data(), B, T, C, H);
  expect_tensor_near("rope dx", d.data(),
                     numeric_grad(x, [&] { return dot(ref_rope(x, B, T, C, H, theta), r); }), 2);
}

TEST(GradCheck, CausalAttention) {
  // T = 67 crosses the 64-row causal block boundary of the blocked GEMMs.
  const int B = 2, T = 67, C = 8, H = 2;
  Vec x = rounded(random_vec(B * T * 3 * C, 14)), r = rounded(random_vec(B * T * C, 15));
  nn::Streams streams;
  const nn::AttentionQuant q = nn::make_attention_quant(Recipe{}, "attn", streams);
  auto xf = to_float(x), rf = to_float(r);
  std::vector<float> out(B * T * C), att(B * H * T * T);
  nn::attention_forward(q, out.data(), att.data(), xf.data(), B, T, C, H, 0);
  expect_tensor_near("attention out", out.data(), ref_attention(x, B, T, C, H), T);
  auto dqkv = filled(B * T * 3 * C);
  nn::attention_backward(q, dqkv.data(), rf.data(), xf.data(), att.data(), B, T, C, H, 0);
  expect_tensor_near("attention dqkv", dqkv.data(),
                     numeric_grad(x, [&] { return dot(ref_attention(x, B, T, C, H), r); }), T,
                     kPrefill);
}

TEST(GradCheck, SwiGLU) {
  const int N = 4, F = 6;
  Vec h = rounded(random_vec(N * 2 * F, 16, 2.0)), r = rounded(random_vec(N * F, 17));
  auto hf = to_float(h), rf = to_float(r);
  std::vector<float> y(N * F);
  nn::swiglu_forward(y.data(), hf.data(), N, F);
  expect_tensor_near("swiglu y", y.data(), ref_swiglu(h, N, F), 4);
  auto dh = filled(N * 2 * F);
  nn::swiglu_backward(dh.data(), rf.data(), hf.data(), N, F);
  expect_tensor_near("swiglu dh", dh.data(),
                     numeric_grad(h, [&] { return dot(ref_swiglu(h, N, F), r); }), 4, kPrefill);
}

TEST(GradCheck, GELU) {
  const int n = 40;
  Vec x = rounded(random_vec(n, 18, 2.5)), r = rounded(random_vec(n, 19));
  auto xf = to_float(x), rf = to_float(r);
  std::vector<float> y(n);
  nn::gelu_forward(y.data(), xf.data(), n);
  Vec ry(n);
  for (int i = 0; i < n; ++i) ry[i] = ref_gelu(x[i]);
  expect_tensor_near("gelu y", y.data(), ry, 4);
  auto loss = [&] {
    double s = 0;
    for (int i = 0; i < n; ++i) s += ref_gelu(x[i]) * r[i];
    return s;
  };
  auto dx = filled(n);
  nn::gelu_backward(dx.data(), rf.data(), xf.data(), n);
  expect_tensor_near("gelu dx", dx.data(), numeric_grad(x, loss), 4, kPrefill);
}

TEST(GradCheck, ResidualAndEmbedding) {
  const int N = 7, C = 5, V = 4;
  const std::vector<int32_t> tok = {3, 0, 3, 1, 2, 3, 0};
  Vec table = rounded(random_vec(V * C, 20)), r = rounded(random_vec(N * C, 21));
  auto tf = to_float(table), rf = to_float(r);
  std::vector<float> e(N * C);
  nn::embedding_forward(e.data(), tok.data(), tf.data(), N, C, V);
  auto embed = [&] {
    Vec out(N * C);
    for (int n = 0; n < N; ++n)
      for (int c = 0; c < C; ++c) out[n * C + c] = table[tok[n] * C + c];
    return out;
  };
  expect_tensor_near("embedding y", e.data(), embed(), 1);
  auto dt = filled(V * C);
  nn::embedding_backward(dt.data(), rf.data(), tok.data(), N, C);
  expect_tensor_near("embedding dtable", dt.data(),
                     numeric_grad(table, [&] { return dot(embed(), r); }), N, kPrefill);
  EXPECT_THROW(
      nn::embedding_forward(e.data(), std::vector<int32_t>(N, V).data(), tf.data(), N, C, V),
      Error);

  Vec a = rounded(random_vec(N, 22)), b = rounded(random_vec(N, 23)), s(N);
  auto af = to_float(a), bf = to_float(b), rn = to_float(Vec(r.begin(), r.begin() + N));
  std::vector<float> y(N);
  nn::residual_forward(y.data(), af.data(), bf.data(), N);
  for (int i = 0; i < N; ++i) s[i] = a[i] + b[i];
  expect_tensor_near("residual y", y.data(), s, 1);
  auto da = filled(N), db = filled(N);
  nn::residual_backward(da.data(), db.data(), rn.data(), N);
  const Vec rr(r.begin(), r.begin() + N);
  auto loss = [&] {
    double t = 0;
    for (int i = 0; i < N; ++i) t += (a[i] + b[i]) * rr[i];
    return t;
  };
  expect_tensor_near("residual da", da.data(), numeric_grad(a, loss), 1, kPrefill);
  expect_tensor_near("residual db", db.data(), numeric_grad(b, loss), 1, kPrefill);
}

TEST(GradCheck, CrossEntropy) {
  const int N = 5, V = 11;
  Vec z = rounded(random_vec(N * V, 24, 3.0));
  const std::vector<int32_t> t = {0, 10, 3, 3, 7};
  auto zf = to_float(z);
  std::vector<float> losses(N), lse(N);
  const double mean =
      nn::crossentropy_forward(losses.data(), lse.data(), zf.data(), t.data(), N, V);
  EXPECT_NEAR(mean, ref_crossentropy(z, t, N, V), kChain * V * kU * std::fabs(mean));
  auto dz = filled(N * V);
  nn::crossentropy_backward(dz.data(), zf.data(), lse.data(), t.data(), N, V, 1.0f / N);
  expect_tensor_near("crossentropy dz", dz.data(),
                     numeric_grad(z, [&] { return ref_crossentropy(z, t, N, V); }), V, kPrefill);
}

TEST(GradCheck, MSEAndLogistic) {
  const int n = 9;
  Vec p = rounded(random_vec(n, 25)), y = rounded(random_vec(n, 26));
  auto pf = to_float(p), yf = to_float(y);
  auto mse = [&] {
    double s = 0;
    for (int i = 0; i < n; ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
    return s / n;
  };
  EXPECT_NEAR(nn::mse_forward(pf.data(), yf.data(), n), mse(), 1e-12);
  auto dp = filled(n);
  nn::mse_backward(dp.data(), pf.data(), yf.data(), n);
  expect_tensor_near("mse dpred", dp.data(), numeric_grad(p, mse), 2, kPrefill);

  Vec labels(n);
  for (int i = 0; i < n; ++i) labels[i] = i % 3 == 0 ? 1.0 : 0.0;
  auto lf = to_float(labels);
  auto logistic = [&] {
    double s = 0;
    for (int i = 0; i < n; ++i) s += std::log(1 + std::exp(p[i])) - labels[i] * p[i];
    return s / n;
  };
  EXPECT_NEAR(nn::logistic_forward(pf.data(), lf.data(), n), logistic(), 1e-12);
  auto dz = filled(n);
  nn::logistic_backward(dz.data(), pf.data(), lf.data(), n);
  expect_tensor_near("logistic dz", dz.data(), numeric_grad(p, logistic), 2, kPrefill);
}

}  // namespace
}  // namespace lowp::test
