// The vector math of nn/: fast_exp's accuracy, and the fixed-order reductions.
#include "nn/vecmath.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reference.h"

namespace lowp::test {
namespace {

TEST(VecMath, FastExpWithinTwoUlp) {
  double worst = 0;
  for (int i = 0; i <= 2000000; ++i) {
    const float x = -87.0f + 175.0f * static_cast<float>(i) / 2000000.0f;
    const double want = std::exp(static_cast<double>(x));
    const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);  // fp32 ulp at want
    worst = std::max(worst, std::fabs(nn::fast_exp(x) - want) / ulp);
  }
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(nn::fast_exp(0.0f), 1.0f);
  EXPECT_EQ(nn::fast_exp(-100.0f), 0.0f);
  EXPECT_TRUE(std::isfinite(nn::fast_exp(1000.0f)));
  std::vector<float> x = {-1.0f, 0.5f, 3.0f}, y(3);
  nn::exp_shifted(y.data(), x.data(), 1.0f, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(y[i], nn::fast_exp(x[i] - 1.0f));
}

TEST(VecMath, ReductionsMatchDoubleAndMaxIsExact) {
  for (int64_t n = 1; n <= 70; ++n) {
    const auto x = to_float(random_vec(n, 90 + n)), y = to_float(random_vec(n, 200 + n));
    double s = 0, d = 0, sa = 0, da = 0;
    float m = x[0];
    for (int64_t i = 0; i < n; ++i) {
      s += x[i], sa += std::fabs(x[i]);
      d += double{x[i]} * y[i], da += std::fabs(double{x[i]} * y[i]);
      m = std::max(m, x[i]);
    }
    // Each result is a sum of n terms in some order: within gamma_n of exact.
    EXPECT_LE(std::fabs(nn::sum(x.data(), n) - s), n * kU * sa) << n;
    EXPECT_LE(std::fabs(nn::dot(x.data(), y.data(), n) - d), (n + 1) * kU * da) << n;
    EXPECT_EQ(nn::max_of(x.data(), n), m) << n;
  }
}

}  // namespace
}  // namespace lowp::test
