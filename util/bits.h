// Bit-level views of fp32 values; the vocabulary of the format oracle.
#pragma once

#include <bit>
#include <cstdint>

namespace lowp {

inline uint32_t f2u(float f) {
  return std::bit_cast<uint32_t>(f);
}
inline float u2f(uint32_t u) {
  return std::bit_cast<float>(u);
}

inline bool is_nan_bits(uint32_t u) {
  return (u & 0x7FFFFFFFu) > 0x7F800000u;
}
inline bool is_inf_bits(uint32_t u) {
  return (u & 0x7FFFFFFFu) == 0x7F800000u;
}

// Exact 2^e as fp32 for e in [-149, 127] (subnormals included).
inline float exp2i(int e) {
  if (e >= -126) return u2f(static_cast<uint32_t>(e + 127) << 23);
  return u2f(1u << (e + 149));
}

}  // namespace lowp
