// The `mlp_teacher` student: residual MLP blocks x + fc2(gelu(fc1(LN(x)))) with affine
// LayerNorm, trained with MSE on a frozen teacher's outputs (Su et al., "Characterization and
// Mitigation of Training Instabilities in Microscaling Formats"; the teacher lives in the data).
#pragma once

#include <cstdint>
#include <vector>

#include "models/common.h"
#include "nn/linear.h"

namespace lowp::models {

// Dimensions: n samples, d = d_in (input = output = residual width), W = width (hidden),
// L = depth blocks.
// Layers and parameters: layers.<l>.norm (weight, bias (d)), layers.<l>.fc1 (weight (W, d),
// no bias), layers.<l>.fc2 (weight (d, W), bias (d)). Initialised as PyTorch's defaults:
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights and biases, unit LayerNorm gain, zero LN bias.
class MLPTeacher final : public Model {
 public:
  MLPTeacher(const ModelConfig& cfg, const Recipe& recipe, uint64_t seed);
  std::vector<Param>& params() override { return store_.params(); }
  double step(const Batch& batch, bool backward, uint64_t step) override;
  const float* output() const {
    return xs_.data() + static_cast<size_t>(cfg_.depth) * n_ * cfg_.d_in;
  }

 private:
  struct Block {
    size_t ln_w, ln_b, fc1, fc2_w, fc2_b;
    NormQuant norm;
    nn::LinearQuant fc1_q, fc2_q;
    SavedQuant saved;  // x, ln, u, a
    // What the norm read (x or its quantized copy) and its quantized affine parameters.
    const float *nx = nullptr, *ng = nullptr, *nb = nullptr;
    std::vector<float> qx, qg, qb;
  };

  ModelConfig cfg_;
  ParamStore store_;
  std::vector<Block> blocks_;
  int64_t n_ = 0;
  // Activations: xs (L + 1, n, d) residual stream; per block ln (n, d), mean, rstd (n),
  // u = fc1 output (n, W), a = gelu(u) (n, W).
  std::vector<float> xs_, ln_, mean_, rstd_, u_, a_, tmp_;
  std::vector<float> dx_, dln_, du_, da_;  // gradient scratch
};

}  // namespace lowp::models
