// Norm layers: rows in parallel pieces; parameter gradients summed piece by piece in order.
#include "nn/norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/parallel.h"
#include "nn/vecmath.h"

namespace lowp::nn {
namespace {

constexpr int64_t kRows = 64;  // rows per piece (fixed: partial sums do not depend on threads)

// Runs body(row0, row1, partial) over row pieces, each with its own `width`-float partial sum
// buffer (zeroed), then adds the partials into out[0..width) in piece order.
template <typename Body>
void rows_with_partials(int64_t N, int64_t width, float* out, Body body) {
  const int64_t pieces = (N + kRows - 1) / kRows;
  thread_local std::vector<float> partial;  // grown only when a larger problem comes
  partial.assign(pieces * width, 0.0f);
  float* part = partial.data();
  kernels::parallel_for(
      pieces, [&](int64_t p) { body(p * kRows, std::min(N, (p + 1) * kRows), part + p * width); });
  for (int64_t p = 0; p < pieces; ++p)
    for (int64_t c = 0; c < width; ++c) out[c] += part[p * width + c];
}

}  // namespace

void rmsnorm_forward(float* y, float* rstd, const float* x, const float* g, int64_t N, int64_t C,
                     float eps) {
  kernels::parallel_for((N + kRows - 1) / kRows, [&](int64_t p) {
    for (int64_t n = p * kRows; n < std::min(N, (p + 1) * kRows); ++n) {
      const float* xn = x + n * C;
      const float r = 1.0f / std::sqrt(dot(xn, xn, C) / static_cast<float>(C) + eps);
      rstd[n] = r;
      float* yn = y + n * C;
      for (int64_t c = 0; c < C; ++c) yn[c] = xn[c] * r * g[c];
    }
  });
}

namespace {
// One row of the RMSNorm backward: dgp (C) += dy x rstd; dx (C) += ... when dx is set.
LOWP_CLONES void rmsnorm_back_row(float* __restrict dx, float* __restrict dgp,
                                  const float* __restrict dy, const float* __restrict x,
                                  const float* __restrict g, float r, int64_t C) {
  for (int64_t c = 0; c < C; ++c) dgp[c] += dy[c] * x[c] * r;
  if (!dx) return;
  float gdy[1024];  // g * dy in pieces of 1024 channels, for the vectorised dot with x
  float dp = 0.0f;  // sum_c g dy x
  for (int64_t c0 = 0; c0 < C; c0 += 1024) {
    const int64_t m = std::min<int64_t>(1024, C - c0);
    for (int64_t c = 0; c < m; ++c) gdy[c] = g[c0 + c] * dy[c0 + c];
    dp += dot(gdy, x + c0, m);
  }
  const float k = dp * r * r * r / static_cast<float>(C);
  for (int64_t c = 0; c < C; ++c) dx[c] += r * g[c] * dy[c] - k * x[c];
}
}  // namespace

void rmsnorm_backward(float* dx, float* dg, const float* dy, const float* x, const float* g,
                      const float* rstd, int64_t N, int64_t C) {
  rows_with_partials(N, C, dg, [&](int64_t n0, int64_t n1, float* dgp) {
    for (int64_t n = n0; n < n1; ++n)
      rmsnorm_back_row(dx ? dx + n * C : nullptr, dgp, dy + n * C, x + n * C, g, rstd[n], C);
  });
}

void layernorm_forward(float* y, float* mean, float* rstd, const float* x, const float* g,
                       const float* b, int64_t N, int64_t C, float eps) {
  kernels::parallel_for((N + kRows - 1) / kRows, [&](int64_t p) {
    for (int64_t n = p * kRows; n < std::min(N, (p + 1) * kRows); ++n) {
      const float* xn = x + n * C;
      float s = 0.0f;
      for (int64_t c = 0; c < C; ++c) s += xn[c];
      const float mu = s / static_cast<float>(C);
      float v = 0.0f;
      for (int64_t c = 0; c < C; ++c) v += (xn[c] - mu) * (xn[c] - mu);
      const float r = 1.0f / std::sqrt(v / static_cast<float>(C) + eps);
      mean[n] = mu;
      rstd[n] = r;
      float* yn = y + n * C;
      for (int64_t c = 0; c < C; ++c) yn[c] = (xn[c] - mu) * r * g[c] + b[c];
    }
  });
}

void layernorm_backward(float* dx, float* dg, float* db, const float* dy, const float* x,
                        const float* g, const float* mean, const float* rstd, int64_t N,
                        int64_t C) {
  // One partial buffer of 2C floats per piece: dg in [0, C), db in [C, 2C).
  thread_local std::vector<float> both;
  both.assign(2 * C, 0.0f);
  rows_with_partials(N, 2 * C, both.data(), [&](int64_t n0, int64_t n1, float* part) {
    for (int64_t n = n0; n < n1; ++n) {
      const float *xn = x + n * C, *dyn = dy + n * C;
      const float mu = mean[n], r = rstd[n];
      float sum_d = 0.0f, sum_dx = 0.0f;  // sums of dnorm and dnorm * xhat
      for (int64_t c = 0; c < C; ++c) {
        const float xhat = (xn[c] - mu) * r, d = g[c] * dyn[c];
        sum_d += d;
        sum_dx += d * xhat;
        part[c] += dyn[c] * xhat;
        part[C + c] += dyn[c];
      }
      if (!dx) continue;
      const float md = sum_d / static_cast<float>(C), mdx = sum_dx / static_cast<float>(C);
      float* dxn = dx + n * C;
      for (int64_t c = 0; c < C; ++c) dxn[c] += (g[c] * dyn[c] - md - (xn[c] - mu) * r * mdx) * r;
    }
  });
  for (int64_t c = 0; c < C; ++c) {
    dg[c] += both[c];
    db[c] += both[C + c];
  }
}

}  // namespace lowp::nn
