// kernels::hadamard against an independent O(n^2) double-precision reference, across every
// SIMD target, the scalar path and thread counts; inverse, signs and nn::hadamard agreement.
#include "kernels/hadamard.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/bench.h"
#include "kernels/runtime.h"
#include "tests/kernels/inputs.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp {
namespace {

// y_i = sum_j (-1)^popcount(i & j) s_j x_j / sqrt(n), in double (the textbook definition).
std::vector<double> reference(const std::vector<float>& x, int64_t rows, int64_t cols, int n,
                              const kernels::HadamardSpec& h) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < cols; b += n)
      for (int i = 0; i < n; ++i) {
        double acc = 0;
        for (int j = 0; j < n; ++j) {
          const uint64_t k = h.sign_base + static_cast<uint64_t>(b + j);
          const double s = h.random_signs && (random_bits(h.seed, h.stream, k) & 1u) ? -1.0 : 1.0;
          acc += ((std::popcount(static_cast<unsigned>(i & j)) & 1) ? -1.0 : 1.0) * s *
                 x[r * cols + b + j];
        }
        y[r * cols + b + i] = acc / std::sqrt(static_cast<double>(n));
      }
  return y;
}

// Error model: each of log2(n) butterfly stages and the final scaling rounds once, with
// relative error <= 2^-24 of a partial sum bounded by sum |x_j|.
double tolerance(const std::vector<float>& x, int64_t at, int n) {
  double l1 = 0;
  for (int j = 0; j < n; ++j) l1 += std::fabs(x[at + j]);
  return (std::log2(n) + 2) * 0x1p-24 * l1;
}

TEST(KernelHadamard, MatchesDenseReferenceOnEveryTarget) {
  for (int n : {16, 32, 64, 128}) {
    const int64_t rows = 5, cols = 2 * n;
    const auto x = kernels::gaussian(rows * cols, static_cast<uint64_t>(n));
    for (bool signs : {false, true}) {
      kernels::HadamardSpec h;
      h.n = n;
      h.random_signs = signs;
      h.seed = 9;
      const auto want = reference(x, rows, cols, n, h);
      std::vector<float> first;
      test::for_each_target([&](const std::string& target) {
        std::vector<float> y(x.size());
        kernels::hadamard(h, x.data(), y.data(), rows, cols);
        for (int64_t i = 0; i < rows * cols; ++i)
          ASSERT_NEAR(y[i], want[i], tolerance(x, i / n * n, n))
              << target << " n=" << n << " " << i;
        if (first.empty()) first = y;
        EXPECT_EQ(0, std::memcmp(first.data(), y.data(), y.size() * sizeof(float)))
            << "targets disagree bitwise: " << target << " n=" << n;
      });
      kernels::set_force_scalar(true);
      std::vector<float> ys(x.size());
      kernels::hadamard(h, x.data(), ys.data(), rows, cols);
      kernels::set_force_scalar(false);
      EXPECT_EQ(0, std::memcmp(first.data(), ys.data(), ys.size() * sizeof(float)))
          << "scalar n=" << n;
    }
  }
}

TEST(KernelHadamard, InverseUndoesForwardAndInPlaceWorks) {
  const int64_t rows = 33, cols = 128;
  const auto x = kernels::gaussian(rows * cols, 2);
  kernels::HadamardSpec h;
  h.n = 64;
  h.random_signs = true;
  h.seed = 1;
  h.stream = 4;
  std::vector<float> y(x.size()), z = x;
  kernels::hadamard(h, x.data(), y.data(), rows, cols);
  kernels::hadamard(h, z.data(), z.data(), rows, cols);  // in place
  EXPECT_EQ(0, std::memcmp(y.data(), z.data(), y.size() * sizeof(float)));
  h.inverse = true;
  kernels::hadamard(h, y.data(), y.data(), rows, cols);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], x[i], 4 * tolerance(x, i / 64 * 64, 64));
}

TEST(KernelHadamard, ColumnAxisEqualsRowAxisOfTranspose) {
  const int64_t rows = 32, cols = 37;  // a ragged number of columns: SIMD plus scalar tail
  const auto x = kernels::gaussian(rows * cols, 3);
  std::vector<float> xt(x.size()), yc(x.size()), yt(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) xt[c * rows + r] = x[r * cols + c];
  kernels::HadamardSpec h;
  h.n = 16;
  h.random_signs = true;
  test::for_each_target([&](const std::string& target) {
    kernels::hadamard(h, x.data(), yc.data(), rows, cols, Axis::col);
    kernels::hadamard(h, xt.data(), yt.data(), cols, rows, Axis::row);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        ASSERT_EQ(std::bit_cast<uint32_t>(yc[r * cols + c]),
                  std::bit_cast<uint32_t>(yt[c * rows + r]))
            << target << " " << r << "," << c;
  });
}

TEST(KernelHadamard, ThreadCountInvariantAndErrors) {
  const int64_t rows = 512, cols = 256;
  const auto x = kernels::gaussian(rows * cols, 4);
  kernels::HadamardSpec h;
  h.n = 128;
  std::vector<float> y1(x.size()), y2(x.size());
  kernels::set_num_threads(1);
  kernels::hadamard(h, x.data(), y1.data(), rows, cols);
  kernels::set_num_threads(2);
  kernels::hadamard(h, x.data(), y2.data(), rows, cols);
  EXPECT_EQ(0, std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)));
  h.n = 24;
  EXPECT_THROW(kernels::hadamard(h, x.data(), y1.data(), rows, cols), Error);
  h.n = 512;
  EXPECT_THROW(kernels::hadamard(h, x.data(), y1.data(), rows, cols), Error);
  h.n = 16;
  EXPECT_THROW(kernels::hadamard(h, x.data(), y1.data(), 1, 40), Error);
}

}  // namespace
}  // namespace lowp
