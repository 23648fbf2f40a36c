// Block-scaled quantization oracle: MX (OCP v1.0), NVFP4 (torchao / TE) and generic scaling.
#pragma once

#include <cstdint>

#include "formats/format.h"

namespace lowp {

// The scale groups of a [rows, cols] row-major tensor: rectangles of group_rows x group_cols,
// laid out as a grid_rows x grid_cols grid (scales are stored row-major over this grid).
struct ScaleGrid {
  int64_t group_rows = 1, group_cols = 1;
  int64_t grid_rows = 1, grid_cols = 1;
  int64_t count() const { return grid_rows * grid_cols; }
};
ScaleGrid scale_grid(const Format& f, int64_t rows, int64_t cols);

// Counts of what happened to the elements of one quantization (for `lowp error`, telemetry).
struct QuantStats {
  int64_t n = 0;
  int64_t saturated = 0;   // clamped to max finite
  int64_t flushed = 0;     // non-zero input became zero
  int64_t nan_mapped = 0;  // NaN became a number
  int64_t overflowed = 0;  // finite input became inf/NaN
  void add(uint8_t flags);
};

// The outputs of quantize_tensor; every pointer may be null when that output is not wanted.
struct QuantOut {
  uint32_t* codes = nullptr;         // rows*cols element codes (0 inside a NaN-scaled block)
  uint32_t* scales = nullptr;        // scale_grid().count() scale codes: e8m0 / ue4m3 byte, or
                                     // fp32 bits for fp32 / pow2 scales
  uint32_t* tensor_scale = nullptr;  // fp32 bits of the per-tensor scale (two-level formats)
  float* values = nullptr;           // rows*cols dequantized values
  QuantStats* stats = nullptr;
};

// Quantizes x [rows, cols] (row-major) with `f`: for an unscaled format, element by element;
// otherwise per scale group as formats.md section 4 defines. Element i's stochastic rounding
// draw is index_base + i. Pure scalar code: the oracle every fast path is compared with.
void quantize_tensor(const Format& f, const float* x, int64_t rows, int64_t cols,
                     const QuantOut& out, uint64_t index_base = 0);

// Fake quantization (quantize then dequantize) into y; y may alias x.
void fake_quantize(const Format& f, const float* x, float* y, int64_t rows, int64_t cols,
                   uint64_t index_base = 0);

// Decodes one scale code to its fp32 value (NaN for a NaN scale).
float decode_scale(const Format& f, uint32_t scale_code);

// Rebuilds values from codes and scales (the exact inverse path of a packed tensor).
void dequantize_tensor(const Format& f, const uint32_t* codes, const uint32_t* scales,
                       uint32_t tensor_scale_bits, int64_t rows, int64_t cols, float* values);

// Is this scale code the NaN scale (every element of its group is NaN)?
bool is_nan_scale(const Format& f, uint32_t scale_code);

}  // namespace lowp
