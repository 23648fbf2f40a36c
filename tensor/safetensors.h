// safetensors files holding one quantized tensor: payload and scales as separate tensors, format in
// metadata.
#pragma once

#include <string>
#include <vector>

#include "tensor/file_util.h"
#include "tensor/quantized.h"

namespace lowp {

// Layout: tensor "payload" (U8, packed codes), "scales" (U8 for byte scales, F32 for fp32/pow2),
// optionally "tensor_scale" (F32, [1]); metadata keys "lowp.format", "lowp.shape" (JSON list),
// "lowp.packing", "lowp.version".
std::vector<uint8_t> serialize_safetensors(const QuantizedTensor& q);
// Reads one quantized tensor from `src`: the header is checked (tensor names, dtypes, integer
// shapes and offsets that tile the data exactly, sane metadata) before the data is read, and
// reading stops at the declared size. Errors name the source and the tensor or metadata key.
QuantizedTensor read_safetensors(ByteSource& src);
QuantizedTensor parse_safetensors(const std::vector<uint8_t>& bytes, const std::string& where);

void write_safetensors(const std::string& path, const QuantizedTensor& q);  // atomic
QuantizedTensor read_safetensors(const std::string& path);

}  // namespace lowp
