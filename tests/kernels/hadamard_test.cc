// kernels::hadamard against an independent O(n^2) double-precision reference, across every
// SIMD target, the scalar path and thread counts; inverse, signs, strided input and offsets.
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
  std::vector<double> y(x.size()), sign(static_cast<size_t>(cols));
  for (int64_t k = 0; k < cols; ++k)
    sign[k] = h.random_signs &&
                      (random_bits(h.seed, h.stream, h.sign_base + static_cast<uint64_t>(k)) & 1u)
                  ? -1.0
                  : 1.0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < cols; b += n)
      for (int i = 0; i < n; ++i) {
        double acc = 0;
        for (int j = 0; j < n; ++j)
          acc += ((std::popcount(static_cast<unsigned>(i & j)) & 1) ? -1.0 : 1.0) * sign[b + j] *
                 x[r * cols + b + j];
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

// Every block length of the recipes' range: below the vector width (the scalar path), in
// registers (up to 256), and longer blocks whose later stages run over memory.
TEST(KernelHadamard, MatchesDenseReferenceOnEveryTarget) {
  for (int n : {2, 4, 8, 16, 32, 64, 128, 256, 512, 4096}) {
    const int64_t rows = n >= 512 ? 2 : 5, cols = n == 4096 ? n : 2 * n;
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
        kernels::hadamard(h, x.data(), cols, y.data(), rows, cols);
        for (int64_t i = 0; i < rows * cols; ++i)
          ASSERT_NEAR(y[i], want[i], tolerance(x, i / n * n, n))
              << target << " n=" << n << " " << i;
        if (first.empty()) first = y;
        EXPECT_EQ(0, std::memcmp(first.data(), y.data(), y.size() * sizeof(float)))
            << "targets disagree bitwise: " << target << " n=" << n;
      });
      kernels::set_force_scalar(true);
      std::vector<float> ys(x.size());
      kernels::hadamard(h, x.data(), cols, ys.data(), rows, cols);
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
  kernels::hadamard(h, x.data(), cols, y.data(), rows, cols);
  kernels::hadamard(h, z.data(), cols, z.data(), rows, cols);  // in place
  EXPECT_EQ(0, std::memcmp(y.data(), z.data(), y.size() * sizeof(float)));
  h.inverse = true;
  kernels::hadamard(h, y.data(), cols, y.data(), rows, cols);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], x[i], 4 * tolerance(x, i / 64 * 64, 64));
}

TEST(KernelHadamard, ColumnAxisEqualsRowAxisOfTranspose) {
  // n = 16 stays in registers; n = 512 runs 256-row groups there, then stages over memory.
  for (const int n : {16, 512}) {
    const int64_t rows = 2 * n, cols = 37;  // a ragged number of columns: SIMD + scalar tail
    const auto x = kernels::gaussian(rows * cols, 3);
    std::vector<float> xt(x.size()), yc(x.size()), yt(x.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) xt[c * rows + r] = x[r * cols + c];
    kernels::HadamardSpec h;
    h.n = n;
    h.random_signs = true;
    test::for_each_target([&](const std::string& target) {
      kernels::hadamard(h, x.data(), cols, yc.data(), rows, cols, Axis::col);
      kernels::hadamard(h, xt.data(), rows, yt.data(), cols, rows, Axis::row);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          ASSERT_EQ(std::bit_cast<uint32_t>(yc[r * cols + c]),
                    std::bit_cast<uint32_t>(yt[c * rows + r]))
              << target << " n=" << n << " " << r << "," << c;
    });
  }
}

// A strided input reads as its compact copy; a piece of rows [r0, r1) transformed along the
// columns with first = r0 gives those rows of the whole transform (how nn splits operands).
TEST(KernelHadamard, StridedInputAndPiecesWithFirst) {
  const int64_t rows = 128, cols = 48, ld = 53, r0 = 64, r1 = 96;
  const auto x = kernels::gaussian(rows * ld, 5);
  std::vector<float> compact(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    std::copy(x.begin() + r * ld, x.begin() + r * ld + cols, compact.begin() + r * cols);
  kernels::HadamardSpec h;
  h.random_signs = true;
  h.seed = 2;
  h.sign_base = uint64_t{3} << 32;
  test::for_each_target([&](const std::string& target) {
    for (const Axis axis : {Axis::row, Axis::col}) {
      h.n = axis == Axis::row ? 16 : 32;
      std::vector<float> want(compact.size()), got(compact.size());
      kernels::hadamard(h, compact.data(), cols, want.data(), rows, cols, axis);
      kernels::hadamard(h, x.data(), ld, got.data(), rows, cols, axis);
      EXPECT_EQ(0, std::memcmp(want.data(), got.data(), got.size() * sizeof(float)))
          << target << " axis " << static_cast<int>(axis);
      if (axis == Axis::row) continue;
      std::vector<float> piece((r1 - r0) * cols);
      kernels::hadamard(h, x.data() + r0 * ld, ld, piece.data(), r1 - r0, cols, axis, r0);
      EXPECT_EQ(0, std::memcmp(want.data() + r0 * cols, piece.data(), piece.size() * sizeof(float)))
          << target;
    }
  });
}

TEST(KernelHadamard, ThreadCountInvariantAndErrors) {
  const int64_t rows = 512, cols = 256;
  const auto x = kernels::gaussian(rows * cols, 4);
  kernels::HadamardSpec h;
  h.n = 128;
  std::vector<float> y1(x.size()), y2(x.size());
  kernels::set_num_threads(1);
  kernels::hadamard(h, x.data(), cols, y1.data(), rows, cols);
  kernels::set_num_threads(2);
  kernels::hadamard(h, x.data(), cols, y2.data(), rows, cols);
  EXPECT_EQ(0, std::memcmp(y1.data(), y2.data(), y1.size() * sizeof(float)));
  h.n = 24;
  EXPECT_THROW(kernels::hadamard(h, x.data(), cols, y1.data(), rows, cols), Error);
  h.n = 8192;
  EXPECT_THROW(kernels::hadamard(h, x.data(), cols, y1.data(), rows, cols), Error);
  h.n = 16;
  EXPECT_THROW(kernels::hadamard(h, x.data(), 40, y1.data(), 1, 40), Error);
  EXPECT_THROW(kernels::hadamard(h, x.data(), cols - 1, y1.data(), rows, cols), Error);
  std::vector<float> z = x;  // in place with a stride: rows would overwrite their successors
  EXPECT_THROW(kernels::hadamard(h, z.data(), cols, z.data(), rows / 2, cols / 2), Error);
}

}  // namespace
}  // namespace lowp
