// Quantization straight to packed storage (payload bytes + scale codes) and back, in parallel;
// drop-in fast paths for tensor/quantized.cc's quantize_to_packed / dequantize_packed.
#pragma once

#include <cstdint>

#include "formats/pack.h"
#include "formats/scaled.h"

namespace lowp::kernels {

struct PackedOut {
  uint8_t* payload = nullptr;        // packed_bytes(packing, rows * cols) bytes
  uint32_t* scales = nullptr;        // scale_grid(f, rows, cols).count() codes (scaled formats)
  uint32_t* tensor_scale = nullptr;  // fp32 bits of g (two-level formats; may be null)
  QuantStats* stats = nullptr;       // optional, added to
};

// Equal, byte for byte, to lowp::quantize_tensor's codes packed with lowp::pack_codes.
// `packing` must be packing_for(f.elem, ...) of the format (checked).
void quantize_packed(const Format& f, Packing packing, const float* x, int64_t rows, int64_t cols,
                     const PackedOut& out, uint64_t index_base = 0);

// Equal to lowp::dequantize_tensor of lowp::unpack_codes(payload).
void dequantize_packed(const Format& f, Packing packing, const uint8_t* payload,
                       const uint32_t* scales, uint32_t tensor_scale_bits, int64_t rows,
                       int64_t cols, float* values);

}  // namespace lowp::kernels
