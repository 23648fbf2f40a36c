// ThreadPool: workers take item indices from a shared counter under one mutex.
#include "optim/parallel.h"

namespace lowp {

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

// Takes items of the current generation until none is left.
void ThreadPool::work(uint64_t generation) {
  std::unique_lock<std::mutex> lock(mu_);
  while (generation_ == generation && next_ < items_) {
    const int64_t i = next_++;
    lock.unlock();
    try {
      (*fn_)(i);
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      lock.unlock();
    }
    lock.lock();
    if (++finished_ == items_) done_.notify_all();
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    work(seen);
  }
}

void ThreadPool::run(int64_t items, const std::function<void(int64_t)>& fn) {
  if (items <= 0) return;
  if (workers_.empty() || items == 1) {
    for (int64_t i = 0; i < items; ++i) fn(i);
    return;
  }
  uint64_t gen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    items_ = items;
    next_ = finished_ = 0;
    error_ = nullptr;
    gen = ++generation_;
  }
  wake_.notify_all();
  work(gen);
  std::unique_lock<std::mutex> lock(mu_);
  done_.wait(lock, [&] { return finished_ == items_; });
  fn_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

}  // namespace lowp
