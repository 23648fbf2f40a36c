// Element-wise and row-wise layers over fixed pieces; sums run in index order (double).
#include "nn/layers.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/parallel.h"
#include "nn/vecmath.h"
#include "util/error.h"

namespace lowp::nn {
namespace {

constexpr int64_t kPiece = 16384;  // elements per piece of element-wise work

template <typename Body>
void pieces(int64_t n, int64_t per, Body body) {
  kernels::parallel_for((n + per - 1) / per,
                        [&](int64_t p) { body(p * per, std::min(n, (p + 1) * per)); });
}

float sigmoid(float a) {
  return 1.0f / (1.0f + std::exp(-a));
}

LOWP_CLONES void swiglu_rows(float* __restrict out, const float* __restrict h, int64_t n0,
                             int64_t n1, int64_t F) {
  for (int64_t n = n0; n < n1; ++n) {
    const float *gate = h + n * 2 * F, *up = gate + F;
    float* o = out + n * F;
    for (int64_t f = 0; f < F; ++f) o[f] = gate[f] * fast_sigmoid(gate[f]) * up[f];
  }
}

LOWP_CLONES void swiglu_back_rows(float* __restrict dh, const float* __restrict dout,
                                  const float* __restrict h, int64_t n0, int64_t n1, int64_t F) {
  for (int64_t n = n0; n < n1; ++n) {
    const float *gate = h + n * 2 * F, *up = gate + F, *d = dout + n * F;
    float *dgate = dh + n * 2 * F, *dup = dgate + F;
    for (int64_t f = 0; f < F; ++f) {
      const float s = fast_sigmoid(gate[f]);
      dgate[f] += d[f] * up[f] * s * (1.0f + gate[f] * (1.0f - s));
      dup[f] += d[f] * gate[f] * s;
    }
  }
}

// d[v] += (e^(z[v] - lse) - [v == target]) * dloss over one row.
LOWP_CLONES void crossentropy_back_row(float* __restrict d, const float* __restrict z, float lse,
                                       int32_t target, int64_t V, float dloss) {
  for (int64_t v = 0; v < V; ++v) d[v] += fast_exp(z[v] - lse) * dloss;
  d[target] -= dloss;
}

void check_index(int32_t t, int64_t V, int64_t n, const char* what) {
  if (t < 0 || t >= V)
    fail(std::string(what) + " " + std::to_string(t) + " at position " + std::to_string(n) +
         " is outside the vocabulary [0, " + std::to_string(V) + ")");
}

}  // namespace

void embedding_forward(float* out, const int32_t* tokens, const float* table, int64_t N, int64_t C,
                       int64_t V) {
  for (int64_t n = 0; n < N; ++n) check_index(tokens[n], V, n, "token");
  pieces(N, 64, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n)
      std::copy(table + tokens[n] * C, table + (tokens[n] + 1) * C, out + n * C);
  });
}

void embedding_backward(float* dtable, const float* dout, const int32_t* tokens, int64_t N,
                        int64_t C) {
  // Pieces over channels: each table entry is summed by one piece, over tokens in order.
  pieces(C, 16, [&](int64_t c0, int64_t c1) {
    for (int64_t n = 0; n < N; ++n) {
      float* row = dtable + tokens[n] * C;
      for (int64_t c = c0; c < c1; ++c) row[c] += dout[n * C + c];
    }
  });
}

void swiglu_forward(float* out, const float* h, int64_t N, int64_t F) {
  pieces(N, std::max<int64_t>(1, kPiece / F),
         [&](int64_t n0, int64_t n1) { swiglu_rows(out, h, n0, n1, F); });
}

void swiglu_backward(float* dh, const float* dout, const float* h, int64_t N, int64_t F) {
  pieces(N, std::max<int64_t>(1, kPiece / F),
         [&](int64_t n0, int64_t n1) { swiglu_back_rows(dh, dout, h, n0, n1, F); });
}

void gelu_forward(float* out, const float* x, int64_t n) {
  pieces(n, kPiece, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      out[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
  });
}

void gelu_backward(float* dx, const float* dout, const float* x, int64_t n) {
  const float inv_sqrt_2pi = static_cast<float>(0.5 * M_2_SQRTPI * M_SQRT1_2);
  pieces(n, kPiece, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float cdf = 0.5f * (1.0f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
      const float pdf = inv_sqrt_2pi * std::exp(-0.5f * x[i] * x[i]);
      dx[i] += dout[i] * (cdf + x[i] * pdf);
    }
  });
}

void residual_forward(float* out, const float* a, const float* b, int64_t n) {
  pieces(n, kPiece, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = a[i] + b[i];
  });
}

void residual_backward(float* da, float* db, const float* dout, int64_t n) {
  pieces(n, kPiece, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      da[i] += dout[i];
      db[i] += dout[i];
    }
  });
}

double crossentropy_forward(float* losses, float* lse, const float* logits, const int32_t* targets,
                            int64_t N, int64_t V) {
  for (int64_t n = 0; n < N; ++n) check_index(targets[n], V, n, "target");
  pieces(N, 16, [&](int64_t n0, int64_t n1) {
    thread_local std::vector<float> e;  // e^(z - max) of one row
    if (e.size() < static_cast<size_t>(V)) e.resize(V);
    for (int64_t n = n0; n < n1; ++n) {
      const float* z = logits + n * V;
      const float mx = max_of(z, V);
      exp_shifted(e.data(), z, mx, V);
      lse[n] = mx + std::log(sum(e.data(), V));
      losses[n] = lse[n] - z[targets[n]];
    }
  });
  double sum = 0.0;
  for (int64_t n = 0; n < N; ++n) sum += losses[n];
  return N ? sum / static_cast<double>(N) : 0.0;
}

void crossentropy_backward(float* dlogits, const float* logits, const float* lse,
                           const int32_t* targets, int64_t N, int64_t V, float dloss) {
  pieces(N, 16, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n)
      crossentropy_back_row(dlogits + n * V, logits + n * V, lse[n], targets[n], V, dloss);
  });
}

double mse_forward(const float* pred, const float* y, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double e = static_cast<double>(pred[i]) - y[i];
    sum += e * e;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

void mse_backward(float* dpred, const float* pred, const float* y, int64_t n) {
  const float k = 2.0f / static_cast<float>(n);
  for (int64_t i = 0; i < n; ++i) dpred[i] += k * (pred[i] - y[i]);
}

double logistic_forward(const float* z, const float* y, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double zi = z[i];  // log(1 + e^z) computed without overflow
    sum += std::max(zi, 0.0) + std::log1p(std::exp(-std::fabs(zi))) - y[i] * zi;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

void logistic_backward(float* dz, const float* z, const float* y, int64_t n) {
  const float k = 1.0f / static_cast<float>(n);
  for (int64_t i = 0; i < n; ++i) dz[i] += k * (sigmoid(z[i]) - y[i]);
}

}  // namespace lowp::nn
