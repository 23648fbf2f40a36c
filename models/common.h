// Pieces the models share: parameter storage, norm and saved-activation quantizers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"
#include "nn/qgemm.h"

namespace lowp::models {

// Parameters declared by name and shape, then stored in one contiguous value block and one
// contiguous gradient block (in declaration order).
class ParamStore {
 public:
  // Returns the index of the new parameter.
  size_t declare(std::string name, std::vector<int64_t> shape);
  void allocate();  // after the last declare(); fills every Param's pointers, grads zero
  float* value(size_t i) { return params_[i].value; }
  float* grad(size_t i) { return params_[i].grad; }
  std::vector<Param>& params() { return params_; }

 private:
  std::vector<Param> params_;
  std::vector<float> values_, grads_;
};

// The quantizers of a norm's input (slot norm.x) and affine parameters (norm.w). Gradients
// pass straight through them. Recipe option ln_high_precision=true keeps both fp32.
struct NormQuant {
  nn::Quantizer x, w;
  bool identity() const { return x.identity() && w.identity(); }
  // The tensor (rows, cols) the norm reads: t itself, or its quantized copy in buf.
  const float* input(const float* t, int64_t rows, int64_t cols, uint64_t step,
                     std::vector<float>& buf) const;
  const float* param(const float* t, int64_t n, uint64_t step, std::vector<float>& buf) const;
};
NormQuant make_norm_quant(const Recipe& r, const std::string& layer, nn::Streams& streams);

// Activations saved for backward, stored in slot act.saved's format: fake-quantized in place
// once the forward pass no longer needs them at full precision, blocks along rows.
// One quantizer (own stream) per saved tensor.
struct SavedQuant {
  std::vector<nn::Quantizer> q;
  void apply(size_t i, float* t, int64_t rows, int64_t cols, uint64_t step) const;
};
SavedQuant make_saved_quant(const Recipe& r, const std::string& layer, size_t tensors,
                            nn::Streams& streams);

// A float buffer that grows to `n` and stays (no per-step allocation once warm).
inline float* grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}
void zero(float* x, int64_t n);

}  // namespace lowp::models
