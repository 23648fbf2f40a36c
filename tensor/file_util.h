// Whole-file reads and atomic writes: a failed write never leaves a partial file behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lowp {

// Reads all bytes of `path`; throws lowp::Error naming the path and the reason.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
// file is either complete or absent (an existing file is replaced only on success).
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace lowp
