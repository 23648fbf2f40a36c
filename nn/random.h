// Deterministic random fills from the counter-based generator (initialisation, synthetic data).
#pragma once

#include <cmath>
#include <cstdint>

#include "util/philox.h"

namespace lowp::nn {

// Uniform in (0, 1) from 32 random bits (never 0 or 1).
inline double uniform01(uint32_t bits) {
  return (static_cast<double>(bits) + 0.5) / 4294967296.0;
}

// Standard normal number i of (seed, stream): Box-Muller on draws 2i and 2i + 1.
inline double normal(uint64_t seed, uint32_t stream, uint64_t i) {
  const double u1 = uniform01(random_bits(seed, stream, 2 * i));
  const double u2 = uniform01(random_bits(seed, stream, 2 * i + 1));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// x[i] = stddev * normal(seed, stream, first + i).
inline void fill_normal(float* x, int64_t n, float stddev, uint64_t seed, uint32_t stream,
                        uint64_t first = 0) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(stddev * normal(seed, stream, first + static_cast<uint64_t>(i)));
}

// x[i] uniform in [-bound, bound).
inline void fill_uniform(float* x, int64_t n, float bound, uint64_t seed, uint32_t stream) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(bound * (2.0 * uniform01(random_bits(seed, stream, i)) - 1.0));
}

}  // namespace lowp::nn
