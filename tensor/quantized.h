// A quantized tensor: packed element codes, scale codes, shape and the format string that decodes
// them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/format.h"
#include "formats/pack.h"

namespace lowp {

struct QuantizedTensor {
  std::string format;          // canonical format string (Format::to_string)
  std::vector<int64_t> shape;  // row-major; blocks run along the last axis (or per the format)
  Packing packing = Packing::bytes1;
  std::vector<uint8_t> payload;  // packed element codes
  std::vector<uint32_t> scales;  // scale codes, row-major over the scale grid
  uint32_t tensor_scale = 0;     // fp32 bits of the per-tensor scale (two-level formats)
  bool has_tensor_scale = false;

  int64_t numel() const;
  int64_t rows() const;  // product of all but the last dimension (1 for a 1-D tensor)
  int64_t cols() const;  // the last dimension
};

// The most elements a tensor file may declare: far beyond any memory, yet byte counts and grid
// sizes computed from it stay clear of int64 overflow.
constexpr int64_t kMaxElements = int64_t{1} << 60;

// Number of elements of `shape` (1 for shape ()). Throws lowp::Error naming `where` when a
// dimension is negative or the product of the non-zero dimensions exceeds kMaxElements.
int64_t checked_numel(const std::vector<int64_t>& shape, const std::string& where);

// Quantizes x (shape as given) into packed storage. `fp6_unpacked` stores FP6 one code per byte.
QuantizedTensor quantize_to_packed(const Format& f, const float* x,
                                   const std::vector<int64_t>& shape, bool fp6_unpacked = false,
                                   uint64_t index_base = 0);

// Decodes packed storage back to fp32 values (exactly the dequantized values of the codes).
std::vector<float> dequantize_packed(const QuantizedTensor& q);

// Checks that the shape is sane, the payload and scale sizes match the shape and format, and a
// tensor scale is positive and finite; throws lowp::Error naming
// what is inconsistent (`where` names the source, e.g. a file path).
void validate(const QuantizedTensor& q, const std::string& where);

}  // namespace lowp
