// The library's one thread pool: every task runs once, errors come back, threads really work
// together, nested calls run on their task's thread, and concurrent callers take turns.
#include "kernels/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "kernels/runtime.h"
#include "util/error.h"

namespace lowp::kernels {
namespace {

// Restores the thread count a test changed.
struct Threads {
  explicit Threads(int n) : saved(num_threads()) { set_num_threads(n); }
  ~Threads() { set_num_threads(saved); }
  int saved;
};

TEST(Pool, EveryTaskRunsOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 5}) {
    const Threads t(threads);
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<std::atomic<int>> hits(997);
      parallel_for(997, [&](int64_t i) { hits[i].fetch_add(1); });
      for (const auto& h : hits) ASSERT_EQ(h.load(), 1) << threads << " threads";
    }
  }
}

TEST(Pool, RethrowsTheFirstErrorAndStaysUsable) {
  const Threads t(3);
  EXPECT_THROW(parallel_for(10,
                            [](int64_t i) {
                              if (i == 7) throw Error("task 7");
                            }),
               Error);
  std::vector<int> after(5, 0);
  parallel_for(5, [&](int64_t i) { after[i] = 1; });
  EXPECT_EQ(after, std::vector<int>(5, 1));
}

// The threads that ran tasks. With `meet`, each of two tasks waits (up to 10 s) until both are
// running, which only a second thread can make happen; without, 64 short tasks.
std::set<std::thread::id> threads_of_tasks(bool meet) {
  std::mutex mu;
  std::set<std::thread::id> seen;
  std::atomic<int> running{0};
  parallel_for(meet ? 2 : 64, [&](int64_t) {
    running.fetch_add(1);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (meet && running.load() < 2 && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
    if (!meet) std::this_thread::sleep_for(std::chrono::microseconds(50));  // time for a worker
    std::lock_guard<std::mutex> lk(mu);
    seen.insert(std::this_thread::get_id());
  });
  return seen;
}

TEST(Pool, UsesAsManyThreadsAsSet) {
  {
    const Threads t(2);
    EXPECT_EQ(threads_of_tasks(true).size(), 2u);
  }
  const Threads t(1);
  EXPECT_EQ(threads_of_tasks(false), std::set<std::thread::id>{std::this_thread::get_id()});
}

// The old per-layer pools' contract, kept by one mechanism: an inner loop inside a task runs
// serially on that task's thread, completes, and does not deadlock.
TEST(Pool, NestedCallsRunOnTheirTasksThread) {
  const Threads t(2);
  std::vector<std::atomic<int>> hits(16 * 64);
  std::atomic<int> foreign{0};
  parallel_for(16, [&](int64_t outer) {
    const auto self = std::this_thread::get_id();
    parallel_for(64, [&](int64_t inner) {
      if (std::this_thread::get_id() != self) foreign.fetch_add(1);
      hits[outer * 64 + inner].fetch_add(1);
    });
  });
  EXPECT_EQ(foreign.load(), 0);
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
}

// Two threads outside the pool submitting at once both
// finish with every task run once.
TEST(Pool, ConcurrentCallersTakeTurns) {
  const Threads t(3);
  std::vector<std::atomic<int>> a(500), b(500);
  auto submit = [](std::vector<std::atomic<int>>& hits) {
    for (int rep = 0; rep < 20; ++rep)
      parallel_for(static_cast<int64_t>(hits.size()), [&](int64_t i) { hits[i].fetch_add(1); });
  };
  std::thread other([&] { submit(b); });
  submit(a);
  other.join();
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].load(), 20);
    ASSERT_EQ(b[i].load(), 20);
  }
}

}  // namespace
}  // namespace lowp::kernels
