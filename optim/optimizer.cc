// AdamW (PyTorch's formulation) and SGD with momentum, over chunks of every parameter.
#include "optim/optimizer.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"
#include "recipe/recipe.h"
#include "util/error.h"

namespace lowp {
namespace {
constexpr int64_t kChunk = 1 << 14;  // elements per work item
}

Optimizer::Optimizer(const OptimConfig& cfg, const Recipe& recipe, std::vector<Param>& params,
                     uint64_t seed)
    : cfg_(cfg), name_(resolve_optimizer(cfg, recipe)), params_(params) {
  check_optim(cfg);
  const bool adam = name_ == "adamw";
  for (size_t p = 0; p < params.size(); ++p) {
    const Param& prm = params[p];
    slots_.push_back({TensorQuantizer(recipe, "grad", prm, seed),
                      TensorQuantizer(recipe, "master", prm, seed),
                      TensorQuantizer(recipe, "adam.m", prm, seed),
                      TensorQuantizer(recipe, "adam.v", prm, seed)});
    const bool has_m = adam || cfg.momentum > 0;
    m_.emplace_back(has_m ? prm.size : 0, 0.0f);
    v_.emplace_back(adam ? prm.size : 0, 0.0f);
    for (int64_t b = 0; b < prm.size; b += kChunk)
      items_.push_back({p, b, std::min(prm.size, b + kChunk)});
    // Weights held in a low-precision format start on its lattice.
    TensorQuantizer(recipe, "master", prm, seed, "master.init").apply(prm.value, 0);
  }
  partial_.resize(items_.size());
}

std::vector<StateTensor> Optimizer::state() {
  std::vector<StateTensor> out;
  const std::string m = name_ == "adamw" ? "adam.m/" : "sgd.momentum/";
  for (size_t p = 0; p < params_.size(); ++p) {
    if (!m_[p].empty()) out.push_back({m + params_[p].name, m_[p].data(), params_[p].size});
    if (!v_[p].empty()) out.push_back({"adam.v/" + params_[p].name, v_[p].data(), params_[p].size});
  }
  return out;
}

// Sum of squares per item in double, combined in item order: independent of the thread count.
double Optimizer::grad_norm() {
  kernels::parallel_for(static_cast<int64_t>(items_.size()), [&](int64_t i) {
    const Item& it = items_[i];
    const float* g = params_[it.p].grad;
    double s = 0;
    for (int64_t k = it.begin; k < it.end; ++k) s += static_cast<double>(g[k]) * g[k];
    partial_[i] = s;
  });
  double total = 0;
  for (double s : partial_) total += s;
  return std::sqrt(total);
}

double Optimizer::step(double lr, uint64_t step) {
  for (size_t p = 0; p < params_.size(); ++p) slots_[p].grad.apply(params_[p].grad, step);
  const double norm = grad_norm();
  if (!std::isfinite(norm)) return norm;
  // PyTorch clip_grad_norm_: scale by max_norm / (norm + 1e-6) when the norm exceeds it.
  const float gscale =
      cfg_.clip > 0 && norm > cfg_.clip ? static_cast<float>(cfg_.clip / (norm + 1e-6)) : 1.0f;
  if (name_ == "adamw")
    adamw(lr, step, gscale);
  else
    sgd(lr, step, gscale);
  for (size_t p = 0; p < params_.size(); ++p) slots_[p].master.apply(params_[p].value, step);
  return norm;
}

// PyTorch AdamW: w *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// w -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). Moments are rounded to their slots
// before the weight update reads them.
void Optimizer::adamw(double lr, uint64_t step, float gscale) {
  const double t = static_cast<double>(step + 1);
  const float b1 = static_cast<float>(cfg_.beta1), b2 = static_cast<float>(cfg_.beta2);
  const float c1 = static_cast<float>(1 - cfg_.beta1), c2 = static_cast<float>(1 - cfg_.beta2);
  const float step_size = static_cast<float>(lr / (1 - std::pow(cfg_.beta1, t)));
  const float bc2_sqrt = static_cast<float>(std::sqrt(1 - std::pow(cfg_.beta2, t)));
  const float eps = static_cast<float>(cfg_.eps);
  const float decay = static_cast<float>(1 - lr * cfg_.weight_decay);
  auto moments = [&](const Item& it) {
    const float* g = params_[it.p].grad;
    float* m = m_[it.p].data();
    float* v = v_[it.p].data();
    for (int64_t k = it.begin; k < it.end; ++k) {
      const float gk = g[k] * gscale;
      m[k] = b1 * m[k] + c1 * gk;
      v[k] = b2 * v[k] + c2 * (gk * gk);
    }
  };
  auto weights = [&](const Item& it) {
    float* w = params_[it.p].value;
    const float* m = m_[it.p].data();
    const float* v = v_[it.p].data();
    const float d = params_[it.p].shape.size() >= 2 ? decay : 1.0f;
    for (int64_t k = it.begin; k < it.end; ++k)
      w[k] = w[k] * d - step_size * (m[k] / (std::sqrt(v[k]) / bc2_sqrt + eps));
  };
  const auto n = static_cast<int64_t>(items_.size());
  kernels::parallel_for(n, [&](int64_t i) { moments(items_[i]); });
  for (size_t p = 0; p < params_.size(); ++p) {
    slots_[p].m.apply(m_[p].data(), step);
    slots_[p].v.apply(v_[p].data(), step);
  }
  kernels::parallel_for(n, [&](int64_t i) { weights(items_[i]); });
}

// PyTorch SGD: g += wd * w; buf = momentum * buf + g; w -= lr * buf (buf rounded to adam.m).
void Optimizer::sgd(double lr, uint64_t step, float gscale) {
  const float mu = static_cast<float>(cfg_.momentum), wd = static_cast<float>(cfg_.weight_decay);
  const float lrf = static_cast<float>(lr);
  const auto n = static_cast<int64_t>(items_.size());
  auto direction = [&](const Item& it, int64_t k) {
    const Param& p = params_[it.p];
    return p.grad[k] * gscale + (p.shape.size() >= 2 ? wd * p.value[k] : 0.0f);
  };
  if (cfg_.momentum == 0) {
    kernels::parallel_for(n, [&](int64_t i) {
      const Item& it = items_[i];
      for (int64_t k = it.begin; k < it.end; ++k) params_[it.p].value[k] -= lrf * direction(it, k);
    });
    return;
  }
  kernels::parallel_for(n, [&](int64_t i) {
    const Item& it = items_[i];
    float* b = m_[it.p].data();
    for (int64_t k = it.begin; k < it.end; ++k) b[k] = mu * b[k] + direction(it, k);
  });
  for (size_t p = 0; p < params_.size(); ++p) slots_[p].m.apply(m_[p].data(), step);
  kernels::parallel_for(n, [&](int64_t i) {
    const Item& it = items_[i];
    float* w = params_[it.p].value;
    const float* b = m_[it.p].data();
    for (int64_t k = it.begin; k < it.end; ++k) w[k] -= lrf * b[k];
  });
}

}  // namespace lowp
