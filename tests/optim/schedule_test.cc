// Warmup + cosine schedule values and its argument checks.
#include "optim/schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "util/error.h"

namespace lowp {
namespace {

TEST(Schedule, WarmupIsLinearFromLrOverWarmup) {
  const ScheduleConfig s{0.01, 4, 0.1};
  EXPECT_DOUBLE_EQ(lr_at(s, 0, 100), 0.0025);
  EXPECT_DOUBLE_EQ(lr_at(s, 1, 100), 0.005);
  EXPECT_DOUBLE_EQ(lr_at(s, 3, 100), 0.01);
  EXPECT_DOUBLE_EQ(lr_at(s, 4, 100), 0.01);  // cosine starts at the peak
}

TEST(Schedule, CosineDecaysToTheFloor) {
  const ScheduleConfig s{0.01, 0, 0.1};
  // Halfway: floor + (lr - floor) / 2 = 0.001 + 0.0045.
  EXPECT_NEAR(lr_at(s, 50, 100), 0.0055, 1e-15);
  // Last step p = 99/100: floor + 0.009 * (1 + cos(0.99 pi)) / 2.
  EXPECT_NEAR(lr_at(s, 99, 100), 0.001 + 0.009 * (1 + std::cos(0.99 * M_PI)) / 2, 1e-15);
  double prev = 1;
  for (int t = 0; t < 100; ++t) {
    const double lr = lr_at(s, t, 100);
    EXPECT_LE(lr, prev);
    EXPECT_GE(lr, 0.001);
    prev = lr;
  }
}

TEST(Schedule, FinalFractionOneIsConstant) {
  const ScheduleConfig s{0.02, 0, 1.0};
  for (int t = 0; t < 10; ++t) EXPECT_DOUBLE_EQ(lr_at(s, t, 10), 0.02);
}

TEST(Schedule, BadArgumentsAreNamed) {
  auto msg = [](ScheduleConfig s, int64_t total) {
    try {
      check_schedule(s, total);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg({-1, 0, 0.1}, 10).find("--lr"), std::string::npos);
  EXPECT_NE(msg({1e-3, 11, 0.1}, 10).find("--warmup 11"), std::string::npos);
  EXPECT_NE(msg({1e-3, 0, 1.5}, 10).find("--final-lr-frac"), std::string::npos);
  EXPECT_EQ(msg({1e-3, 10, 0.0}, 10), "");
}

}  // namespace
}  // namespace lowp
