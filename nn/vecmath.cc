// Vector kernels of vecmath.h, compiled once per ISA clone.
#include "nn/vecmath.h"

#include <bit>

namespace lowp::nn {

LOWP_CLONES void exp_shifted(float* y, const float* x, float shift, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fast_exp(x[i] - shift);
}

namespace {
constexpr int kLanes = 16;

float combine(float* p) {
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int i = 0; i < w; ++i) p[i] += p[i + w];
  return p[0];
}
}  // namespace

LOWP_CLONES float sum(const float* x, int64_t n) {
  float p[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) p[l] += x[i + l];
  for (int l = 0; i + l < n; ++l) p[l] += x[i + l];
  return combine(p);
}

LOWP_CLONES float dot(const float* x, const float* y, int64_t n) {
  float p[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) p[l] += x[i + l] * y[i + l];
  for (int l = 0; i + l < n; ++l) p[l] += x[i + l] * y[i + l];
  return combine(p);
}

LOWP_CLONES float max_of(const float* x, int64_t n) {
  float p[kLanes];
  for (int l = 0; l < kLanes; ++l) p[l] = x[0];
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) p[l] = p[l] > x[i + l] ? p[l] : x[i + l];
  for (int l = 0; i + l < n; ++l) p[l] = p[l] > x[i + l] ? p[l] : x[i + l];
  float m = p[0];
  for (int l = 1; l < kLanes; ++l) m = m > p[l] ? m : p[l];
  return m;
}

LOWP_CLONES void widen_bf16(const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::bit_cast<float>(static_cast<uint32_t>(x[i]) << 16);
}

}  // namespace lowp::nn
