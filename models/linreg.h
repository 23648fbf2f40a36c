// The `linreg` model: (sketched) linear regression, least squares or logistic.
#pragma once

#include <cstdint>
#include <vector>

#include "models/common.h"
#include "nn/linear.h"

namespace lowp::models {

// Dimensions: n samples, M = ambient_dim features, m = sketch_dim (model size).
// Prediction p = (x S^T) v^T with a fixed Gaussian sketch S (m, M), entries N(0, 1/m), drawn
// from the model seed and never trained (computed in fp32); sketch_dim 0 uses x itself
// (S = I, m = M). Loss: mean squared error (linreg_loss squared) or mean logistic loss
// (logistic, labels in {0, 1}). Parameter "linear.weight" v (1, m), initialised to zero;
// layer "linear" takes the six GEMM operand slots.
class LinReg final : public Model {
 public:
  LinReg(const ModelConfig& cfg, const Recipe& recipe, uint64_t seed);
  std::vector<Param>& params() override { return store_.params(); }
  double step(const Batch& batch, bool backward, uint64_t step) override;
  const std::vector<float>& sketch() const { return sketch_; }  // (m, M); empty without sketch

 private:
  ModelConfig cfg_;
  ParamStore store_;
  nn::LinearQuant q_;
  std::vector<float> sketch_;
  std::vector<float> z_, p_, dp_;  // features (n, m), predictions and their gradient (n)
};

}  // namespace lowp::models
