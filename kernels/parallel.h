// The library's one thread pool: parallel_for runs tasks 0..n-1 on up to num_threads() threads.
#pragma once

#include <cstdint>
#include <functional>

namespace lowp::kernels {

// Runs fn(task) for every task in [0, n_tasks) and returns when all are done; rethrows the
// first exception a task threw. The calling thread works too; the thread count is the one
// setting of kernels/runtime.h (set_num_threads, LOWP_NUM_THREADS, the CLI's --threads).
//
// Determinism contract: tasks are claimed dynamically, so which thread runs a task is
// unspecified. Callers split work by problem size only (never by num_threads()), make each
// task's result a function of its index alone, and combine per-task results in task order;
// then every result is bit-identical for any thread count.
//
// Nesting: a parallel_for called from inside a task (on a worker or on the calling thread)
// runs its tasks serially on that thread. The outer loop already keeps every thread busy, and
// a nested job never waits for workers that are busy with the job it belongs to, so nested
// calls cannot deadlock. Calls from two threads outside the pool take turns.
void parallel_for(int64_t n_tasks, const std::function<void(int64_t task)>& fn);

// Number of tasks of about `grain` work units each covering `total` units (at least 1).
inline int64_t task_count(int64_t total, int64_t grain) {
  return total <= grain ? 1 : (total + grain - 1) / grain;
}

}  // namespace lowp::kernels
