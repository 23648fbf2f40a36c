// NumPy .npy files of fp32 (little-endian '<f4', C order), any shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/file_util.h"

namespace lowp {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// Reads one array from `src`, taking exactly the bytes its header declares: every size is checked
// against the limits and the data present before anything is allocated. Errors name the source
// and the field (dtype, order, shape, header length, truncation).
NpyArray read_npy(ByteSource& src);
// read_npy of bytes in memory; `where` names them in errors.
NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& where);
std::vector<uint8_t> serialize_npy(const NpyArray& a);

NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);  // atomic

}  // namespace lowp
