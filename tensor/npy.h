// NumPy .npy files of fp32 (little-endian '<f4', C order), any shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lowp {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// Parses .npy bytes; `where` names the source in errors (dtype, order, truncation, header).
NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& where);
std::vector<uint8_t> serialize_npy(const NpyArray& a);

NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);  // atomic

}  // namespace lowp
