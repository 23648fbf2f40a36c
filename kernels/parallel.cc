// The thread pool: persistent workers woken per job, tasks claimed from an atomic counter.
#include "kernels/parallel.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/runtime.h"

namespace lowp::kernels {
namespace {

thread_local bool t_inside_task = false;

class Pool {
 public:
  ~Pool() { resize(0); }

  void run(int64_t n_tasks, const std::function<void(int64_t)>& fn, int threads) {
    std::lock_guard<std::mutex> submit(submit_mu_);  // one job at a time
    if (static_cast<int>(workers_.size()) != threads - 1) resize(threads - 1);
    {
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = &fn;
      n_tasks_ = n_tasks;
      next_.store(0);
      done_ = 0;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    work();
    // Invariant for the next job: no worker is inside work() once this returns.
    std::unique_lock<std::mutex> lk(mu_);
    finished_.wait(lk, [&] { return done_ == n_tasks_ && active_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Claims and runs tasks of the current job until none are left.
  void work() {
    t_inside_task = true;
    int64_t ran = 0;
    for (int64_t t; (t = next_.fetch_add(1)) < n_tasks_; ++ran) {
      try {
        (*fn_)(t);
      } catch (...) {
        std::lock_guard<std::mutex> lk(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
    t_inside_task = false;
    std::lock_guard<std::mutex> lk(mu_);
    done_ += ran;
    if (done_ == n_tasks_) finished_.notify_all();
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(mu_);
        wake_.wait(lk, [&] { return stop_ || (generation_ != seen && fn_ != nullptr); });
        if (stop_) return;
        seen = generation_;
        ++active_;
      }
      work();
      std::lock_guard<std::mutex> lk(mu_);
      if (--active_ == 0) finished_.notify_all();
    }
  }

  void resize(int n) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    stop_ = false;
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  std::mutex submit_mu_, mu_;
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_tasks_ = 0, done_ = 0;
  int active_ = 0;  // workers inside work() for the current job
  std::atomic<int64_t> next_{0};
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void parallel_for(int64_t n_tasks, const std::function<void(int64_t)>& fn) {
  if (n_tasks <= 0) return;
  const int threads = num_threads();
  if (n_tasks == 1 || threads <= 1 || t_inside_task) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(t);
    return;
  }
  pool().run(n_tasks, fn, threads);
}

}  // namespace lowp::kernels
