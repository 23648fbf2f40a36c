// Throughput helpers: Gaussian test data, the threaded copy baseline, best-of-N timing.
#include "kernels/bench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "kernels/parallel.h"
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
