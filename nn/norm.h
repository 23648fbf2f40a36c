// RMSNorm and affine LayerNorm over the last axis, forward/backward pairs.
#pragma once

#include <cstdint>

namespace lowp::nn {

// Dimensions: N rows (tokens), C channels.

// y = x * rstd * g, rstd = 1 / sqrt(mean(x^2) + eps).  x, y (N, C); g (C); rstd (N) saved.
void rmsnorm_forward(float* y, float* rstd, const float* x, const float* g, int64_t N, int64_t C,
                     float eps);
// dx (N, C) += ..., dg (C) += ...; dx may be null.
void rmsnorm_backward(float* dx, float* dg, const float* dy, const float* x, const float* g,
                      const float* rstd, int64_t N, int64_t C);

// y = (x - mean) * rstd * g + b, rstd = 1 / sqrt(var(x) + eps) (biased variance).
// x, y (N, C); g, b (C); mean, rstd (N) saved.
void layernorm_forward(float* y, float* mean, float* rstd, const float* x, const float* g,
                       const float* b, int64_t N, int64_t C, float eps);
// dx (N, C) += ..., dg (C) += ..., db (C) += ...; dx may be null.
void layernorm_backward(float* dx, float* dg, float* db, const float* dy, const float* x,
                        const float* g, const float* mean, const float* rstd, int64_t N, int64_t C);

}  // namespace lowp::nn
