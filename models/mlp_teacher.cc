// The residual-MLP student: forward, and backward as the forward upside down.
#include "models/mlp_teacher.h"

#include <cmath>
#include <string>

#include "models/sizes.h"
#include "nn/layers.h"
#include "nn/norm.h"
#include "nn/random.h"
#include "util/error.h"

namespace lowp::models {
namespace {

constexpr float kLnEps = 1e-5f;
enum Saved : size_t { kX, kLn, kU, kA, kSavedCount };

std::string name(int l, const char* part) {
  return "layers." + std::to_string(l) + "." + part;
}

}  // namespace

MLPTeacher::MLPTeacher(const ModelConfig& cfg_in, const Recipe& recipe, uint64_t seed)
    : cfg_(resolve(cfg_in)) {
  if (cfg_.kind != "mlp_teacher") fail("MLPTeacher needs kind mlp_teacher, got " + cfg_.kind);
  const int64_t d = cfg_.d_in, W = cfg_.width;
  blocks_.resize(cfg_.depth);
  for (int l = 0; l < cfg_.depth; ++l) {
    Block& b = blocks_[l];
    b.ln_w = store_.declare(name(l, "norm.weight"), {d});
    b.ln_b = store_.declare(name(l, "norm.bias"), {d});
    b.fc1 = store_.declare(name(l, "fc1.weight"), {W, d});
    b.fc2_w = store_.declare(name(l, "fc2.weight"), {d, W});
    b.fc2_b = store_.declare(name(l, "fc2.bias"), {d});
  }
  store_.allocate();
  for (int l = 0; l < cfg_.depth; ++l) {
    const Block& b = blocks_[l];
    const uint32_t s = static_cast<uint32_t>(5 * l);
    for (int64_t i = 0; i < d; ++i) store_.value(b.ln_w)[i] = 1.0f;
    nn::fill_uniform(store_.value(b.fc1), W * d, 1.0f / std::sqrt(float(d)), seed, s + 2);
    nn::fill_uniform(store_.value(b.fc2_w), d * W, 1.0f / std::sqrt(float(W)), seed, s + 3);
    nn::fill_uniform(store_.value(b.fc2_b), d, 1.0f / std::sqrt(float(W)), seed, s + 4);
  }
  nn::Streams streams{nn::mix64(seed ^ 0x51756E74ull)};
  for (int l = 0; l < cfg_.depth; ++l) {
    Block& b = blocks_[l];
    b.norm = make_norm_quant(recipe, name(l, "norm"), streams);
    b.fc1_q = nn::make_linear_quant(recipe, name(l, "fc1"), streams);
    b.fc2_q = nn::make_linear_quant(recipe, name(l, "fc2"), streams);
    b.saved = make_saved_quant(recipe, "layers." + std::to_string(l), kSavedCount, streams);
  }
}

double MLPTeacher::step(const Batch& batch, bool backward, uint64_t step) {
  const int64_t n = batch.n, d = cfg_.d_in, W = cfg_.width, L = cfg_.depth;
  if (n < 1 || batch.x.size() != static_cast<size_t>(n * d) ||
      batch.y.size() != static_cast<size_t>(n * d))
    fail("mlp_teacher: batch needs n >= 1, x and y of n * d_in = " + std::to_string(n * d) +
         " values, got n " + std::to_string(n) + ", x " + std::to_string(batch.x.size()) + ", y " +
         std::to_string(batch.y.size()));
  n_ = n;
  float* xs = grow(xs_, (L + 1) * n * d);
  float *ln = grow(ln_, L * n * d), *mean = grow(mean_, L * n), *rstd = grow(rstd_, L * n);
  float *u = grow(u_, L * n * W), *a = grow(a_, L * n * W), *tmp = grow(tmp_, n * d);
  std::copy(batch.x.begin(), batch.x.end(), xs);
  for (int64_t l = 0; l < L; ++l) {
    Block& b = blocks_[l];
    float *x = xs + l * n * d, *lnl = ln + l * n * d, *ul = u + l * n * W, *al = a + l * n * W;
    b.nx = b.norm.input(x, n, d, step, b.qx);
    b.ng = b.norm.param(store_.value(b.ln_w), d, step, b.qg);
    b.nb = b.norm.param(store_.value(b.ln_b), d, step, b.qb);
    nn::layernorm_forward(lnl, mean + l * n, rstd + l * n, b.nx, b.ng, b.nb, n, d, kLnEps);
    nn::linear_forward(b.fc1_q, ul, lnl, store_.value(b.fc1), nullptr, n, d, W, step);
    nn::gelu_forward(al, ul, n * W);
    nn::linear_forward(b.fc2_q, tmp, al, store_.value(b.fc2_w), store_.value(b.fc2_b), n, W, d,
                       step);
    nn::residual_forward(x + n * d, x, tmp, n * d);
    b.saved.apply(kX, x, n, d, step);
    b.saved.apply(kLn, lnl, n, d, step);
    b.saved.apply(kU, ul, n, W, step);
    b.saved.apply(kA, al, n, W, step);
  }
  const float* out = xs + L * n * d;
  const double loss = nn::mse_forward(out, batch.y.data(), n * d);
  if (!backward) return loss;

  float *dx = grow(dx_, n * d), *dln = grow(dln_, n * d), *du = grow(du_, n * W),
        *da = grow(da_, n * W);
  zero(dx, n * d);
  nn::mse_backward(dx, out, batch.y.data(), n * d);
  for (int64_t l = L - 1; l >= 0; --l) {
    Block& b = blocks_[l];
    const float *lnl = ln + l * n * d, *ul = u + l * n * W, *al = a + l * n * W;
    // dx holds the gradient of the block's output; the residual passes it through.
    zero(da, n * W);
    nn::linear_backward(b.fc2_q, da, store_.grad(b.fc2_w), store_.grad(b.fc2_b), dx, al,
                        store_.value(b.fc2_w), n, W, d, step);
    zero(du, n * W);
    nn::gelu_backward(du, da, ul, n * W);
    zero(dln, n * d);
    nn::linear_backward(b.fc1_q, dln, store_.grad(b.fc1), nullptr, du, lnl, store_.value(b.fc1), n,
                        d, W, step);
    nn::layernorm_backward(dx, store_.grad(b.ln_w), store_.grad(b.ln_b), dln, b.nx, b.ng,
                           mean + l * n, rstd + l * n, n, d);
  }
  return loss;
}

}  // namespace lowp::models
