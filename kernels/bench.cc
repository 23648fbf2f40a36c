// Throughput helpers: Gaussian test data, the threaded copy baseline, best-of-N timing.
#include "kernels/bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "kernels/parallel.h"
#include "util/bits.h"
#include "util/philox.h"

namespace lowp::kernels {

std::vector<float> gaussian(int64_t n, uint64_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  constexpr int64_t kChunk = 1 << 16;
  parallel_for(task_count(n, kChunk), [&](int64_t t) {
    for (int64_t i = t * kChunk; i < std::min(n, (t + 1) * kChunk); ++i) {
      // Box-Muller on two 32-bit draws; u1 in (0, 1].
      const double u1 = (random_bits(seed, 0, static_cast<uint64_t>(i)) + 1.0) * 0x1p-32;
      const double u2 = random_bits(seed, 1, static_cast<uint64_t>(i)) * 0x1p-32;
      v[static_cast<size_t>(i)] =
          static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }
  });
  return v;
}

std::vector<float> mixed_inputs(int64_t n, uint64_t seed, int center) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t r = random_bits(seed, 1, static_cast<uint64_t>(i));
    const uint32_t r2 = random_bits(seed, 2, static_cast<uint64_t>(i));
    float x;
    switch (r % 32) {
      case 0:
        x = 0.0f;
        break;
      case 1:
        x = u2f(0x7F800000u);
        break;
      case 2:
        x = u2f(0x7FC00000u | (r2 & 0x3FFFFFu));
        break;  // NaN with payload
      case 3:
        x = u2f(r2 & 0x7FFFFFu);
        break;  // fp32 subnormal
      case 4:
        x = u2f(0x7F7FFFFFu - (r2 & 0xFFFFu));
        break;  // near FLT_MAX
      case 5:
        x = u2f(r2 & 0x7FFFFFFFu);
        break;  // any bit pattern
      case 6:   // ties of formats with up to 5 mantissa bits
        x = exp2i(std::clamp(center + static_cast<int>(r2 >> 8) % 24 - 12, -126, 127)) *
            (1.0f + static_cast<float>((r2 >> 1) % 32) / 32.0f + 1.0f / 64.0f);
        break;
      case 7:
        x = exp2i(std::clamp(center + static_cast<int>(r2 >> 8) % 20 - 10, -149, 127));
        break;
      default: {  // log-uniform over 40 binades around 2^center
        const int e = std::clamp(center + static_cast<int>(r2 >> 8) % 40 - 20, -149, 127);
        x = exp2i(e) * (1.0f + static_cast<float>(r >> 9) * 0x1p-23f);
      }
    }
    v[static_cast<size_t>(i)] = u2f(f2u(x) | ((r2 & 1u) << 31));
  }
  return v;
}

void copy(const float* x, float* y, int64_t n) {
  constexpr int64_t kChunk = 1 << 16;  // the kernels' task size
  parallel_for(task_count(n, kChunk), [&](int64_t t) {
    const int64_t b = t * kChunk, e = std::min(n, b + kChunk);
    std::memcpy(y + b, x + b, static_cast<size_t>(e - b) * sizeof(float));
  });
}

double best_seconds(const std::function<void()>& fn, int reps) {
  fn();
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace lowp::kernels
