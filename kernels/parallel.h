// A small persistent thread pool: runs tasks 0..n-1 on up to num_threads() threads.
#pragma once

#include <cstdint>
#include <functional>

namespace lowp::kernels {

// Runs fn(task) for every task in [0, n_tasks) and returns when all are done. Tasks are
// claimed dynamically, so which thread runs a task is unspecified: callers must make each
// task's result depend only on the task index (that is what keeps every kernel
// bit-identical for any thread count). The calling thread works too. Not reentrant: a task
// must not call parallel_for itself (nested calls run serially on the caller).
void parallel_for(int64_t n_tasks, const std::function<void(int64_t task)>& fn);

// While alive, parallel_for on this thread runs its tasks serially on the caller: for callers
// that are themselves one task of an outer parallel loop (nn's row pieces), so that two outer
// workers do not queue for this pool one job at a time.
class SerialScope {
 public:
  SerialScope();
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool prev_;
};

// Number of tasks of about `grain` work units each covering `total` units (at least 1).
inline int64_t task_count(int64_t total, int64_t grain) {
  return total <= grain ? 1 : (total + grain - 1) / grain;
}

}  // namespace lowp::kernels
