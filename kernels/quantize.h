// SIMD quantization with run-time dispatch: drop-in equivalents of formats/scaled.h's oracle.
#pragma once

#include <cstdint>

#include "formats/scaled.h"

namespace lowp::kernels {

// Same contract as lowp::quantize_tensor: x [rows, cols] row-major, every output optional,
// element i draws stochastic-rounding index index_base + i, stats are added to *out.stats.
// Bit-identical to the oracle for every Format, for any thread count.
void quantize_tensor(const Format& f, const float* x, int64_t rows, int64_t cols,
                     const QuantOut& out, uint64_t index_base = 0);

// Fake quantization (quantize then dequantize) into y; y may alias x. `tensor_scale`, if
// given, receives the fp32 bits of a two-level format's tensor scale g (untouched otherwise).
void fake_quantize(const Format& f, const float* x, float* y, int64_t rows, int64_t cols,
                   uint64_t index_base = 0, uint32_t* tensor_scale = nullptr);

// fake_quantize of a part of a larger tensor whose max |x| is tensor_amax (finite): a
// two-level format takes its tensor scale from tensor_amax, not from the part, so parts made
// of whole scale groups, quantized one by one with their index_base, give the bits of one
// call on the whole tensor. Formats of block granularity only. False, with nothing written,
// when the format goes to the scalar oracle (forced, or no SIMD codec), which cannot do this.
bool fake_quantize_part(const Format& f, const float* x, float* y, int64_t rows, int64_t cols,
                        uint64_t index_base, float tensor_amax, uint32_t* tensor_scale);

// Same contract as lowp::dequantize_tensor: values from codes and scale codes.
void dequantize_tensor(const Format& f, const uint32_t* codes, const uint32_t* scales,
                       uint32_t tensor_scale_bits, int64_t rows, int64_t cols, float* values);

// max |x| over n values; NaN if any value is NaN (0 for n = 0).
float amax(const float* x, int64_t n);

// What fake quantization with f does to x, without writing it (telemetry, `lowp error`).
struct QuantError {
  QuantStats counts;      // n, saturated, flushed, NaN mapped, overflowed
  float amax = 0;         // max |x| (NaN if any NaN)
  double sum_sq_err = 0;  // sum of (x - q(x))^2 over elements where both are finite
  double sum_sq = 0;      // sum of x^2 over finite x
  int64_t nonfinite = 0;  // elements left out of the sums
  double fraction_saturated() const { return counts.n ? double(counts.saturated) / counts.n : 0; }
  double fraction_flushed() const { return counts.n ? double(counts.flushed) / counts.n : 0; }
};
// Deterministic for any thread count (fixed task partition, partial sums added in task order).
QuantError quant_error(const Format& f, const float* x, int64_t rows, int64_t cols,
                       uint64_t index_base = 0);

}  // namespace lowp::kernels
