// The thread pool of nn/: work split into pieces fixed by the problem, never by the thread count.
#pragma once

#include <cstdint>
#include <functional>

namespace lowp::nn {

// Number of threads nn/ uses (the caller included); default 1. Invariant: results are
// bit-identical for every thread count, because each piece of work is a pure function of its
// index and reductions over pieces run in index order.
void set_num_threads(int n);
int num_threads();

// Runs fn(i) for every i in [0, n), spread over the pool; the calling thread works too.
// Calls from inside fn run serially on the calling thread. Rethrows fn's first exception.
void parallel_for(int64_t n, const std::function<void(int64_t)>& fn);

// The calling thread's slot in [0, num_threads()) for per-thread scratch (0 outside the pool).
int thread_index();

}  // namespace lowp::nn
