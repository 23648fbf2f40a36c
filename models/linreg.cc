// Sketched linear regression: a frozen fp32 sketch, then one quantized linear layer.
#include "models/linreg.h"

#include <cmath>
#include <string>

#include "models/sizes.h"
#include "nn/gemm.h"
#include "nn/layers.h"
#include "nn/random.h"
#include "util/error.h"

namespace lowp::models {

LinReg::LinReg(const ModelConfig& cfg_in, const Recipe& recipe, uint64_t seed)
    : cfg_(resolve(cfg_in)) {
  if (cfg_.kind != "linreg") fail("LinReg needs kind linreg, got " + cfg_.kind);
  const int64_t M = cfg_.ambient_dim, m = cfg_.sketch_dim > 0 ? cfg_.sketch_dim : M;
  store_.declare("linear.weight", {1, m});
  store_.allocate();
  if (cfg_.sketch_dim > 0) {
    sketch_.resize(m * M);
    nn::fill_normal(sketch_.data(), m * M, 1.0f / std::sqrt(static_cast<float>(m)), seed, 0);
  }
  nn::Streams streams{nn::mix64(seed ^ 0x51756E74ull)};
  q_ = nn::make_linear_quant(recipe, "linear", streams);
}

double LinReg::step(const Batch& batch, bool backward, uint64_t step) {
  const int64_t n = batch.n, M = cfg_.ambient_dim, m = cfg_.sketch_dim > 0 ? cfg_.sketch_dim : M;
  if (n < 1 || batch.x.size() != static_cast<size_t>(n * M) ||
      batch.y.size() != static_cast<size_t>(n))
    fail("linreg: batch needs n >= 1, x of n * ambient_dim = " + std::to_string(n * M) +
         " and y of n values, got n " + std::to_string(n) + ", x " +
         std::to_string(batch.x.size()) + ", y " + std::to_string(batch.y.size()));
  const float* z = batch.x.data();
  if (!sketch_.empty()) {
    float* zs = grow(z_, n * m);  // z (n, m) = x S^T
    nn::gemm(n, m, M, 1.0f, {batch.x.data(), M, false}, {sketch_.data(), M, true}, 0.0f, zs, m);
    z = zs;
  }
  float* p = grow(p_, n);
  float* v = store_.value(0);
  nn::linear_forward(q_, p, z, v, nullptr, n, m, 1, step);
  const bool logistic = cfg_.linreg_loss == "logistic";
  const double loss =
      logistic ? nn::logistic_forward(p, batch.y.data(), n) : nn::mse_forward(p, batch.y.data(), n);
  if (!backward) return loss;
  float* dp = grow(dp_, n);
  zero(dp, n);
  if (logistic)
    nn::logistic_backward(dp, p, batch.y.data(), n);
  else
    nn::mse_backward(dp, p, batch.y.data(), n);
  nn::linear_backward(q_, nullptr, store_.grad(0), nullptr, dp, z, v, n, m, 1, step);
  return loss;
}

}  // namespace lowp::models
