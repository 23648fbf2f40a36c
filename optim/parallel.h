// A small persistent thread pool whose work splits never depend on the thread count.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lowp {

// Runs `items` independent work items on `threads` threads (the caller is one of them).
// Determinism contract: callers split work into items by data size alone and combine per-item
// results in item order, so results are bit-identical for any thread count.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // Calls fn(i) for every i in [0, items); returns when all are done. Rethrows the first
  // exception a work item threw.
  void run(int64_t items, const std::function<void(int64_t)>& fn);

 private:
  void work(uint64_t generation);
  void worker_loop();

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t items_ = 0, next_ = 0, finished_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace lowp
