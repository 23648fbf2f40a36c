// Stochastic rounding: two neighbours only, right frequencies, unbiased, reproducible, split-free.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "formats/scaled.h"
#include "util/bits.h"
#include "util/philox.h"

namespace lowp {
namespace {

// Random123's known-answer vector for Philox4x32-10 with zero counter and key.
TEST(Philox, KnownAnswer) {
  const auto out = philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(out[0], 0x6627e8d5u);
  EXPECT_EQ(out[1], 0xe169c58du);
  EXPECT_EQ(out[2], 0xbc57ac4cu);
  EXPECT_EQ(out[3], 0x9b00dbd8u);
  const auto pi =
      philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
  EXPECT_EQ(pi[0], 0xd16cfe09u);
  EXPECT_EQ(pi[1], 0x94fdccebu);
  EXPECT_EQ(pi[2], 0x5001e420u);
  EXPECT_EQ(pi[3], 0x24126ea1u);
}

// Rounds x n times (indices 0..n-1) and counts how often the upper neighbour came out.
struct Tally {
  int64_t up = 0, down = 0, other = 0;
  double mean_err = 0;
};
Tally tally(const std::string& fmt, float x, float lo, float hi, int n) {
  const Format f = parse_format(fmt);
  Tally t;
  for (int i = 0; i < n; ++i) {
    const float y = quantize(f.elem, x, f.cast, static_cast<uint64_t>(i));
    if (y == hi)
      ++t.up;
    else if (y == lo)
      ++t.down;
    else
      ++t.other;
    t.mean_err += static_cast<double>(y) - x;
  }
  t.mean_err /= n;
  return t;
}

// Binomial tolerance: 6 standard deviations (a false failure has probability ~1e-9).
void expect_frequency(const Tally& t, int n, double p) {
  const double sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(t.up), n * p, 6 * sd) << "p=" << p;
}

TEST(StochasticRounding, NeighboursAndFrequencies) {
  const int n = 200000;
  // e4m3 between 1.0 and 1.125 (ulp 0.125), and e2m1 between 2 and 3, at 1/4, 1/2, 3/4 ulp.
  for (double frac : {0.25, 0.5, 0.75}) {
    Tally t =
        tally("e4m3:round=sr:seed=11", static_cast<float>(1.0 + 0.125 * frac), 1.0f, 1.125f, n);
    EXPECT_EQ(t.other, 0);
    expect_frequency(t, n, frac);
    t = tally("e2m1:round=sr:seed=3", static_cast<float>(2.0 + frac), 2.0f, 3.0f, n);
    EXPECT_EQ(t.other, 0);
    expect_frequency(t, n, frac);
    t = tally("bf16:round=sr:seed=5", static_cast<float>(-(1.0 + 0x1p-7 * frac)), -1.0f,
              -1.0078125f, n);  // negative values: magnitude rounds up with probability frac
    EXPECT_EQ(t.other, 0);
    expect_frequency(t, n, frac);
  }
}

TEST(StochasticRounding, MeanSignedErrorVanishes) {
  const int n = 400000;
  const float x = 1.0f + 0.125f * 0.3f;
  const Tally t = tally("e4m3:round=sr", x, 1.0f, 1.125f, n);
  // Standard error of the mean: ulp * sqrt(p(1-p)/n); allow 6 of them.
  EXPECT_LT(std::fabs(t.mean_err), 6 * 0.125 * std::sqrt(0.3 * 0.7 / n));
  const Tally te = tally("e4m3:round=sr_equal", x, 1.0f, 1.125f, n);
  expect_frequency(te, n, 0.5);  // sr_equal: up with probability 1/2 whatever the distance
}

TEST(StochasticRounding, LimitedRandomBits) {
  // bits=2: only the top 2 discarded bits matter; 1/8 ulp above 2.0 never rounds up.
  const Tally t = tally("e2m1:round=sr:bits=2", 2.125f, 2.0f, 3.0f, 20000);
  EXPECT_EQ(t.up, 0);
  const Tally t2 = tally("e2m1:round=sr:bits=2", 2.25f, 2.0f, 3.0f, 20000);
  expect_frequency(t2, 20000, 0.25);
}

TEST(StochasticRounding, ExactValuesNeverMove) {
  const Tally t = tally("e4m3:round=sr", 1.125f, 1.125f, 1.25f, 10000);
  EXPECT_EQ(t.down, 10000);
}

std::vector<float> inputs(int n) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = std::sin(0.37f * i) * (1.0f + (i % 97));
  return x;
}

TEST(StochasticRounding, ReproducibleAndSeedDependent) {
  const auto x = inputs(4096);
  std::vector<float> a(x.size()), b(x.size()), c(x.size());
  fake_quantize(parse_format("mxfp4:round=sr:seed=42"), x.data(), a.data(), 64, 64);
  fake_quantize(parse_format("mxfp4:round=sr:seed=42"), x.data(), b.data(), 64, 64);
  fake_quantize(parse_format("mxfp4:round=sr:seed=43"), x.data(), c.data(), 64, 64);
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * 4));
  EXPECT_NE(0, std::memcmp(a.data(), c.data(), a.size() * 4));
}

// Any split of the work, on one thread or two, draws the same bits (keyed by element index).
TEST(StochasticRounding, SameBitsForAnySplitAndThreadCount) {
  const auto x = inputs(64 * 96);
  const Format f = parse_format("e2m1:round=sr:seed=9");
  std::vector<float> whole(x.size()), split(x.size());
  fake_quantize(f, x.data(), whole.data(), 64, 96);
  // Two threads, each taking half of the rows, with the matching index base.
  std::thread t1([&] { fake_quantize(f, x.data(), split.data(), 32, 96, 0); });
  std::thread t2(
      [&] { fake_quantize(f, x.data() + 32 * 96, split.data() + 32 * 96, 32, 96, 32 * 96); });
  t1.join();
  t2.join();
  EXPECT_EQ(0, std::memcmp(whole.data(), split.data(), whole.size() * 4));
}

}  // namespace
}  // namespace lowp
