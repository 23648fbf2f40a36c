// Text conventions shared by the CLI commands: reading numbers, printing codes and bit patterns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/element.h"

namespace lowp::cli {

// Parses one fp32 value: decimal ("0.1", "-2.5e-3", "inf", "-inf", "nan") or an fp32 bit
// pattern ("0x3dcccccd"). Throws lowp::Error naming `where` (e.g. "line 17") and the token.
float parse_value(std::string_view token, const std::string& where);

// Splits a line at spaces, tabs and commas (empty fields are skipped).
std::vector<std::string_view> split_values(std::string_view line);

// "0x" + lowercase hex, zero-padded to `digits`.
std::string hex(uint32_t v, int digits);

// Hex digits of a code of `f`: 1 for <= 4 bits, 2 for 5-8, 4 for 9-16, 5 for 17-20, 8 above.
int code_digits(const ElementFormat& f);

// fp32 bits as "0x%08x", or "NaN" for a NaN value (the golden files' convention).
std::string value_bits(float v);

// All lines of standard input (without their newline characters).
std::vector<std::string> read_stdin_lines();

}  // namespace lowp::cli
