// The kernels' thread pool: every task runs once, and SerialScope keeps them on the caller.
#include "kernels/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "kernels/runtime.h"

namespace lowp::kernels {
namespace {

TEST(KernelPool, EveryTaskRunsOnce) {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(1000, [&](int64_t t) { hits[t].fetch_add(1); });
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(KernelPool, SerialScopeRunsTasksOnTheCaller) {
  set_num_threads(2);
  const auto caller = std::this_thread::get_id();
  std::mutex mu;
  std::set<std::thread::id> seen;
  auto record = [&](int64_t) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));  // give a worker time to join
    std::lock_guard<std::mutex> lk(mu);
    seen.insert(std::this_thread::get_id());
  };
  {
    const SerialScope serial;
    parallel_for(64, record);
  }
  EXPECT_EQ(seen, std::set<std::thread::id>{caller});
  // The scope ends: the pool is used again. Each of two tasks waits (up to 10 s) until both
  // are running, which only a second thread can make happen.
  seen.clear();
  std::atomic<int> running{0};
  parallel_for(2, [&](int64_t) {
    running.fetch_add(1);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running.load() < 2 && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
    std::lock_guard<std::mutex> lk(mu);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
}  // namespace lowp::kernels
