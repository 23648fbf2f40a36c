// fp32 values as text: the decimal / 0x-bits reader of `lowp cast` and `lowp quantize`, and
// the printers of codes and bit patterns that their output uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lowp {

// Parses one fp32 value, the whole token and nothing else (no spaces):
//   decimal   [+-]digits[.digits][e[+-]digits] (or .digits...), rounded to nearest fp32
//             (out-of-range magnitudes give +-inf or +-0, as fp32 parsing does);
//   words     [+-]inf, [+-]infinity, [+-]nan (any case; -nan has its sign bit set);
//   bits      0x followed by 1 to 8 hex digits: the fp32 bit pattern itself (0xbf800000 is -1).
// A sign before 0x bits is an error: "-0x3f800000" could mean -1 (negated value), the two's
// complement pattern, or the integer -1065353216, so the sign belongs in the bits. C hex floats
// (0x1.8p3) and nan(...) payloads are errors too. Throws lowp::Error naming `where`
// (e.g. "line 17") and the token.
float parse_value(std::string_view token, const std::string& where);

// Splits a line at spaces, tabs, carriage returns and commas (empty fields are skipped).
std::vector<std::string_view> split_values(std::string_view line);

// "0x" + lowercase hex, zero-padded to `digits`.
std::string hex(uint32_t v, int digits);

// fp32 bits as "0x%08x", or "NaN" for a NaN value (the golden files' convention).
std::string value_bits(float v);

}  // namespace lowp
