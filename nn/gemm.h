// Row-major fp32 GEMMs (oneDNN), and the bf16 fast path for operands bf16 holds exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lowp::nn {

// A row-major operand: op(X) is X, or X^T when `trans` (X stored with leading dimension ld).
struct Mat {
  const float* p = nullptr;
  int64_t ld = 0;
  bool trans = false;
};

// A row-major bf16 operand (raw bf16 bits), e.g. a quantized operand bf16 holds exactly.
struct Mat16 {
  const uint16_t* p = nullptr;
  int64_t ld = 0;
  bool trans = false;
};

enum class GemmPath : uint8_t {
  fp32,  // fp32 products and accumulation
  bf16,  // operands converted to bf16 (exactly, or the fp32 path runs), fp32 accumulation
};

// C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C.
// The work is split into row blocks of C chosen from M alone, each computed by one
// single-threaded library call: the bits of C do not depend on the thread count.
// GemmPath::bf16 converts both operands to bf16 and multiplies them with fp32 accumulation;
// if any element is not exactly a bf16 value it runs the fp32 path instead (same products,
// other summation order). Returns the path that ran.
GemmPath gemm(int64_t M, int64_t N, int64_t K, float alpha, Mat A, Mat B, float beta, float* C,
              int64_t ldc, GemmPath path = GemmPath::fp32);

// The bf16 path on operands already in bf16: fp32 accumulation, the same row blocks and
// library calls as gemm's bf16 path (so the same bits as gemm on their fp32 values). Where
// bf16_gemm_enabled() is false, the operands are widened and the fp32 path runs.
void gemm_bf16(int64_t M, int64_t N, int64_t K, float alpha, Mat16 A, Mat16 B, float beta, float* C,
               int64_t ldc);

// The fp32 values of a bf16 operand whose storage spans n values, in buf (leading dimension
// and layout kept).
Mat widen(Mat16 m, int64_t n, std::vector<float>& buf);

// Truncates n fp32 values to bf16 bits; returns the OR of the dropped low halves (0: every
// value was exactly a bf16 value).
uint32_t truncate_bf16(const float* x, uint16_t* y, int64_t n);

// truncate_bf16 that also reports non-finite values: nonzero unless every value was a
// finite bf16 value.
uint32_t truncate_bf16_finite(const float* x, uint16_t* y, int64_t n);

// Rounds n fp32 values to bf16 bits, to nearest with ties to even (IEEE, subnormals kept);
// nonzero if any input is not finite or any result overflows (y then holds no valid values).
uint32_t round_bf16_finite(const float* x, uint16_t* y, int64_t n);

// What this machine's GEMM library offers, found once at first use by creating the primitives
// the paths need. Without a native bf16 matmul (oneDNN has one only with AVX512_BF16 or AMX)
// every bf16-path GEMM runs in fp32 instead: the same products, another summation order.
struct GemmCaps {
  bool bf16 = false;      // a native (non-reference) bf16 matmul with fp32 accumulation exists
  std::string isa;        // oneDNN's effective ISA, e.g. "avx512_core_bf16", "avx2"
  std::string bf16_impl;  // the bf16 matmul's implementation, or why there is none
};
const GemmCaps& gemm_caps();

// Globally allows (default) or forbids the bf16 path, e.g. to compare against fp32 GEMMs.
void set_bf16_gemm(bool enabled);
// True when bf16-path GEMMs really run in bf16: allowed, and gemm_caps().bf16.
bool bf16_gemm_enabled();

}  // namespace lowp::nn
