// Test data and throughput helpers shared by `lowp bench`, `lowp verify`, bench/ and tests.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace lowp::kernels {

// n values ~ N(0, 1) from the counter-based generator (deterministic for a seed).
std::vector<float> gaussian(int64_t n, uint64_t seed);

// n values that exercise every path of a format: mostly random magnitudes over 40 binades
// around 2^center, with zeros, infinities, NaNs (with payloads), fp32 subnormals, values near
// FLT_MAX, exact ties of small formats, powers of two and raw bit patterns mixed in.
std::vector<float> mixed_inputs(int64_t n, uint64_t seed, int center = 0);

// The baseline: y = x as a plain memory copy, split into the kernels' tasks and run on the
// kernels' threads (so it moves the same bytes with the same parallelism).
void copy(const float* x, float* y, int64_t n);

// Best wall time in seconds of `reps` runs of fn (after one warm-up run).
double best_seconds(const std::function<void()>& fn, int reps);

}  // namespace lowp::kernels
