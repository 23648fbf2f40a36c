// Blockwise orthonormal fast Walsh-Hadamard transform (SIMD, run-time dispatch), for the
// random-Hadamard recipes (NVFP4, Quartet): y = H D x / sqrt(n) on blocks of n elements.
#pragma once

#include <cstdint>

#include "formats/format.h"

namespace lowp::kernels {

// The transform. Random signs: D = diag(s_k), s_k = -1 if bit 0 of
// lowp::random_bits(seed, stream, sign_base + k) is set, else +1, where k is the element's
// position along the transform axis (its column for axis=row, its row for axis=col) plus
// `first`. Without random signs D = I.
struct HadamardSpec {
  int n = 16;  // block length: a power of two, 2..4096 (the recipes' range)
  bool random_signs = false;
  uint64_t seed = 0;
  uint32_t stream = 0;
  uint64_t sign_base = 0;
  bool inverse = false;  // x = D H y / sqrt(n): undoes the forward transform
};

// y = transform(x) on x [rows, cols] stored with leading dimension ldx >= cols, blocks along
// `axis` (row: n consecutive columns; col: n consecutive rows). y is compact (ld = cols); it
// may be x itself when ldx == cols, and must not overlap x otherwise.
//
// The operation order, and so every bit, is the contract: signs (forward), butterflies with
// half-width 1, 2, 4, ... (a+b, a-b), then a multiply by fl32(1/sqrt(n)), then signs
// (inverse) - identical on every SIMD target, the scalar path (LOWP_FORCE_SCALAR) and any
// thread count. Throws lowp::Error if n is not a power of two in 2..4096, the axis length is
// not a multiple of n, or ldx < cols.
void hadamard(const HadamardSpec& h, const float* x, int64_t ldx, float* y, int64_t rows,
              int64_t cols, Axis axis = Axis::row, int64_t first = 0);

}  // namespace lowp::kernels
