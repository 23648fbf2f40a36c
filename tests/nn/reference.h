// Naive double-precision reference layers and finite-difference helpers for the nn/ tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/random.h"

namespace lowp::test {

using Vec = std::vector<double>;

// ---- error model ---------------------------------------------------------------------------
// fp32 unit roundoff. A sum of n fp32 terms is within about n * u of exact, relative to the sum
// of the terms' magnitudes; a layer chains a few such sums (kChain), and the tensors compared
// here have magnitudes of order of their largest element. So we accept
//   max |got - ref| <= kChain * n * u * max |ref|
// where n is the longest reduction behind an element. A wrong formula errs by O(max |ref|).
inline constexpr double kU = 0x1p-24;
inline constexpr double kChain = 8.0;

inline double max_abs(const Vec& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// Compares got[i] - offset with ref[i] under the error model for reductions of length n.
inline void expect_tensor_near(const std::string& what, const float* got, const Vec& ref, double n,
                               double offset = 0.0) {
  const double tol = kChain * n * kU * std::max(max_abs(ref), 1e-30);
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double e = std::fabs((static_cast<double>(got[i]) - offset) - ref[i]);
    if (!(e <= worst)) worst = e, at = i;
  }
  EXPECT_LE(worst, tol) << what << ": worst error at element " << at << " (got " << got[at] - offset
                        << ", reference " << ref[at] << "), " << ref.size()
                        << " elements, tolerance " << tol;
}

// Central differences of f() with respect to every element of x (perturbed in place).
// Truncation error ~ h^2 f''' and rounding ~ 1e-16 |f| / h: about 1e-10 relative, far below
// the fp32 tolerances it is compared under.
template <typename F>
Vec numeric_grad(Vec& x, F f) {
  Vec g(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i], h = 1e-6 * std::max(1.0, std::fabs(xi));
    x[i] = xi + h;
    const double fp = f();
    x[i] = xi - h;
    const double fm = f();
    x[i] = xi;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

inline Vec random_vec(size_t n, uint32_t stream, double scale = 1.0) {
  Vec v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * nn::normal(12345, stream, i);
  return v;
}
inline std::vector<float> to_float(const Vec& v) {
  return std::vector<float>(v.begin(), v.end());
}
// The doubles that the fp32 layer actually sees.
inline Vec rounded(const Vec& v) {
  Vec r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = static_cast<float>(v[i]);
  return r;
}
inline double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// ---- reference layers (plain loops, double) -------------------------------------------------

inline Vec ref_linear(const Vec& x, const Vec& w, const Vec* b, int M, int K, int N) {
  Vec y(M * N);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double s = b ? (*b)[n] : 0.0;
      for (int k = 0; k < K; ++k) s += x[m * K + k] * w[n * K + k];
      y[m * N + n] = s;
    }
  return y;
}

inline Vec ref_rmsnorm(const Vec& x, const Vec& g, int N, int C, double eps) {
  Vec y(N * C);
  for (int n = 0; n < N; ++n) {
    double ss = 0;
    for (int c = 0; c < C; ++c) ss += x[n * C + c] * x[n * C + c];
    const double r = 1.0 / std::sqrt(ss / C + eps);
    for (int c = 0; c < C; ++c) y[n * C + c] = x[n * C + c] * r * g[c];
  }
  return y;
}

inline Vec ref_layernorm(const Vec& x, const Vec& g, const Vec& b, int N, int C, double eps) {
  Vec y(N * C);
  for (int n = 0; n < N; ++n) {
    double mu = 0, var = 0;
    for (int c = 0; c < C; ++c) mu += x[n * C + c] / C;
    for (int c = 0; c < C; ++c) var += (x[n * C + c] - mu) * (x[n * C + c] - mu) / C;
    const double r = 1.0 / std::sqrt(var + eps);
    for (int c = 0; c < C; ++c) y[n * C + c] = (x[n * C + c] - mu) * r * g[c] + b[c];
  }
  return y;
}

// RoPE on the q and k parts of qkv (B, T, 3C): pairs (i, i + D/2) of each head.
inline Vec ref_rope(const Vec& qkv, int B, int T, int C, int H, double theta) {
  Vec y = qkv;
  const int D = C / H;
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      for (int head = 0; head < 2 * H; ++head)
        for (int i = 0; i < D / 2; ++i) {
          const double ang = t * std::pow(theta, -2.0 * i / D);
          const int at = (b * T + t) * 3 * C + head * D;
          const double x0 = qkv[at + i], x1 = qkv[at + i + D / 2];
          y[at + i] = x0 * std::cos(ang) - x1 * std::sin(ang);
          y[at + i + D / 2] = x0 * std::sin(ang) + x1 * std::cos(ang);
        }
  return y;
}

// Causal softmax attention per head: out (B, T, C) from qkv (B, T, 3C).
inline Vec ref_attention(const Vec& qkv, int B, int T, int C, int H) {
  Vec out(B * T * C, 0.0);
  const int D = C / H;
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h)
      for (int i = 0; i < T; ++i) {
        Vec s(i + 1);
        double mx = -1e300;
        for (int j = 0; j <= i; ++j) {
          double d = 0;
          for (int k = 0; k < D; ++k)
            d += qkv[(b * T + i) * 3 * C + h * D + k] * qkv[(b * T + j) * 3 * C + C + h * D + k];
          s[j] = d / std::sqrt(static_cast<double>(D));
          mx = std::max(mx, s[j]);
        }
        double z = 0;
        for (int j = 0; j <= i; ++j) z += (s[j] = std::exp(s[j] - mx));
        for (int j = 0; j <= i; ++j)
          for (int k = 0; k < D; ++k)
            out[(b * T + i) * C + h * D + k] +=
                s[j] / z * qkv[(b * T + j) * 3 * C + 2 * C + h * D + k];
      }
  return out;
}

inline double sigmoid(double a) {
  return 1.0 / (1.0 + std::exp(-a));
}

inline Vec ref_swiglu(const Vec& h, int N, int F) {
  Vec y(N * F);
  for (int n = 0; n < N; ++n)
    for (int f = 0; f < F; ++f) {
      const double a = h[n * 2 * F + f];
      y[n * F + f] = a * sigmoid(a) * h[n * 2 * F + F + f];
    }
  return y;
}

inline double ref_gelu(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

inline double ref_crossentropy(const Vec& z, const std::vector<int32_t>& t, int N, int V) {
  double loss = 0;
  for (int n = 0; n < N; ++n) {
    double mx = -1e300, s = 0;
    for (int v = 0; v < V; ++v) mx = std::max(mx, z[n * V + v]);
    for (int v = 0; v < V; ++v) s += std::exp(z[n * V + v] - mx);
    loss += mx + std::log(s) - z[n * V + t[n]];
  }
  return loss / N;
}

}  // namespace lowp::test
