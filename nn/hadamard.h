// Blockwise Walsh-Hadamard transform of GEMM operands along the reduction axis (scalar code).
#pragma once

#include <cstdint>

#include "formats/format.h"

namespace lowp::nn {

// The transform of one GEMM: y = H D x / sqrt(n) on every block of n consecutive elements
// along the reduction axis, with D = diag(+-1) (all +1 without random signs). Orthonormal, so
// applying it to both operands leaves the product unchanged: (H D a) . (H D b) = a . b.
struct Hadamard {
  int n = 0;  // block length (a power of two); 0 = no transform
  bool random_signs = false;
  uint64_t seed = 0;    // signs: bit 0 of random_bits(seed, stream, sign_base + k) for
  uint32_t stream = 0;  //   position k along the reduction axis
  uint64_t sign_base = 0;
  bool active() const { return n > 0; }
};

// y = transform(x) for x (rows, cols) stored with leading dimension ldx, along `axis`
// (row: blocks of cols; col: blocks of rows). y is compact (ld = cols) and may not alias x.
// `first` is the reduction index of x's first element along `axis` (for the signs of a piece).
// Throws lowp::Error if the reduction length is not a multiple of n.
void hadamard(const Hadamard& h, const float* x, int64_t ldx, float* y, int64_t rows, int64_t cols,
              Axis axis, int64_t first = 0);

}  // namespace lowp::nn
