// Linear layer y = x W^T (+ b): three GEMMs, each with its two operand quantizers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/qgemm.h"
#include "recipe/recipe.h"

namespace lowp::nn {

// Dimensions: M rows (tokens), K inputs, N outputs.
// The quantizers of one linear layer, from the recipe's six slots (recipes.md):
//   fwd    Y  = X W^T    fwd.x, fwd.w        blocks along K
//   dgrad  dX = dY W     dgrad.dy, dgrad.w   blocks along N
//   wgrad  dW = dY^T X   wgrad.dy, wgrad.x   blocks along M (tokens)
struct LinearQuant {
  GemmSite fwd, dgrad, wgrad;
};
LinearQuant make_linear_quant(const Recipe& r, const std::string& layer, Streams& streams);
// Every operand of all three GEMMs in one format with one transform (e.g. the head's slot).
LinearQuant make_linear_quant(const std::string& layer, std::string_view format, const Transform& t,
                              Streams& streams);

// The forward's bf16 copy of X kept for the weight gradient, X being a saved activation stored
// through `saved`. Kept when both GEMMs run fused in bf16 without a transform and wgrad.x gives
// from the saved tensor the values fwd.x gives from X (same_values_through); dW = dY^T X then
// reads the copy. `ok`: the copy holds the last forward's X.
struct LinearKeep {
  const Quantizer* saved = nullptr;
  std::vector<uint16_t> x;
  bool ok = false;
};

// y (M, N) = x (M, K) W^T + b; w (N, K); b (N) or null. `keep`, if given, receives X's copy
// when the conditions above hold (else keep->ok is false).
void linear_forward(const LinearQuant& q, float* y, const float* x, const float* w, const float* b,
                    int64_t M, int64_t K, int64_t N, uint64_t step, LinearKeep* keep = nullptr);
// dx (M, K) += dy W, dw (N, K) += dy^T x, db (N) += column sums of dy; dx and db may be null.
// `keep`: the forward's (for this x and step), if it kept X's copy.
void linear_backward(const LinearQuant& q, float* dx, float* dw, float* db, const float* dy,
                     const float* x, const float* w, int64_t M, int64_t K, int64_t N, uint64_t step,
                     const LinearKeep* keep = nullptr);

}  // namespace lowp::nn
