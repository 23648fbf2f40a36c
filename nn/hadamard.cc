// Fast Walsh-Hadamard butterflies over blocks along rows or down columns.
#include "nn/hadamard.h"

#include <cmath>
#include <string>

#include "util/error.h"
#include "util/philox.h"

namespace lowp::nn {
namespace {

float sign(const Hadamard& h, int64_t k) {
  if (!h.random_signs) return 1.0f;
  return (random_bits(h.seed, h.stream, h.sign_base + static_cast<uint64_t>(k)) & 1u) ? -1.0f
                                                                                      : 1.0f;
}

}  // namespace

void hadamard(const Hadamard& h, const float* x, int64_t ldx, float* y, int64_t rows, int64_t cols,
              Axis axis, int64_t first) {
  const int n = h.n;
  if (n < 1 || (n & (n - 1)) != 0)
    fail("hadamard: block length " + std::to_string(n) + " is not a power of two");
  const int64_t len = axis == Axis::row ? cols : rows;
  if (len % n != 0)
    fail("hadamard: the reduction axis has length " + std::to_string(len) +
         ", not a multiple of the transform's block length " + std::to_string(n) +
         "; choose a block length that divides it or no transform");
  const float norm = static_cast<float>(1.0 / std::sqrt(static_cast<double>(n)));
  if (axis == Axis::row) {
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * ldx;
      float* yr = y + r * cols;
      for (int64_t c = 0; c < cols; ++c) yr[c] = xr[c] * sign(h, first + c);
      for (int64_t b = 0; b < cols; b += n) {
        float* v = yr + b;
        for (int half = 1; half < n; half *= 2)
          for (int i = 0; i < n; i += 2 * half)
            for (int j = i; j < i + half; ++j) {
              const float a = v[j], d = v[j + half];
              v[j] = a + d;
              v[j + half] = a - d;
            }
        for (int j = 0; j < n; ++j) v[j] *= norm;
      }
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float s = sign(h, first + r);
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = x[r * ldx + c] * s;
  }
  for (int64_t g = 0; g < rows; g += n) {
    float* v = y + g * cols;  // n rows, butterflies between whole rows
    for (int half = 1; half < n; half *= 2)
      for (int i = 0; i < n; i += 2 * half)
        for (int j = i; j < i + half; ++j) {
          float* a = v + j * cols;
          float* d = v + (j + half) * cols;
          for (int64_t c = 0; c < cols; ++c) {
            const float s = a[c], t = d[c];
            a[c] = s + t;
            d[c] = s - t;
          }
        }
    for (int64_t i = 0; i < n * cols; ++i) v[i] *= norm;
  }
}

}  // namespace lowp::nn
