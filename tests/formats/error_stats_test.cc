// Error statistics of a quantization: the figures cover the finite elements only, and what is
// left out (inf/NaN inputs, finite inputs quantized to inf/NaN) is counted.
#include "formats/error_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "formats/format.h"

namespace lowp {
namespace {

std::vector<float> ramp(int n, float step) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) x[static_cast<size_t>(i)] = (i % 7 - 3) * step + 0.01f * i;
  return x;
}

void expect_same_figures(const ErrorStats& a, const ErrorStats& b) {
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.mse, b.mse);
  EXPECT_EQ(a.rel_mse, b.rel_mse);
  EXPECT_EQ(a.sqnr_db, b.sqnr_db);
  EXPECT_EQ(a.mean_signed_error, b.mean_signed_error);
}

// An inf or NaN in a block makes the block's scale NaN, so its finite neighbours quantize to
// NaN: they are counted and left out, and the figures are those of the clean block alone (they
// used to be mse nan beside sqnr_db inf).
TEST(ErrorStats, NonFiniteInputsAndTheirBlocksAreCountedAndExcluded) {
  const Format f = parse_format("mxfp4");
  const std::vector<float> clean = ramp(32, 0.37f);
  for (float bad : {INFINITY, -INFINITY, NAN}) {
    std::vector<float> x = ramp(32, 0.5f);
    x[5] = bad;
    x.insert(x.end(), clean.begin(), clean.end());  // block 1: the clean values
    const ErrorStats s = measure_error(f, x.data(), 1, 64);
    EXPECT_EQ(s.nonfinite, 1) << bad;
    EXPECT_EQ(s.nonfinite_outputs, 31) << bad;
    EXPECT_EQ(s.n + s.nonfinite + s.nonfinite_outputs, 64);
    EXPECT_TRUE(std::isfinite(s.mse) && std::isfinite(s.sqnr_db) && std::isfinite(s.rel_mse));
    expect_same_figures(s, measure_error(f, clean.data(), 1, 32));
  }
}

// Element formats: an inf input is left out; an overflow of a finite input (e4m3 without
// saturation gives NaN) is counted among the outputs.
TEST(ErrorStats, ElementFormatsCountInputsAndOverflowsApart) {
  const Format f = parse_format("e4m3");
  const std::vector<float> clean = {0.1f, -0.3f, 1.7f, 100.0f};
  std::vector<float> x = clean;
  x.push_back(INFINITY);
  x.push_back(1e6f);  // beyond e4m3's 448
  const ErrorStats s = measure_error(f, x.data(), 1, static_cast<int64_t>(x.size()));
  EXPECT_EQ(s.nonfinite, 1);
  EXPECT_EQ(s.nonfinite_outputs, 1);
  expect_same_figures(s, measure_error(f, clean.data(), 1, 4));
  EXPECT_GT(s.mse, 0);
  // With saturation the overflow is a finite (large) error, measured.
  const ErrorStats sat = measure_error(parse_format("e4m3:sat"), x.data(), 1, 6);
  EXPECT_EQ(sat.nonfinite_outputs, 0);
  EXPECT_EQ(sat.n, 5);
}

TEST(ErrorStats, NothingFiniteLeavesZeroFigures) {
  const float x[2] = {NAN, INFINITY};
  const ErrorStats s = measure_error(parse_format("e4m3"), x, 1, 2);
  EXPECT_EQ(s.n, 0);
  EXPECT_EQ(s.nonfinite, 2);
  EXPECT_EQ(s.mse, 0);
}

}  // namespace
}  // namespace lowp
