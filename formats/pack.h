// Packed storage of element codes (formats.md section 5): FP4/INT4 2 per byte, FP6 4 in 3, INT2 4
// per byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "formats/element.h"

namespace lowp {

// How codes of a format are laid out in bytes.
enum class Packing : uint8_t {
  bits2,   // four per byte, element 4i+k in bits [2k, 2k+2)
  bits4,   // two per byte, element 2i in bits 3:0, element 2i+1 in bits 7:4
  bits6,   // dense little-endian bit stream: element i occupies stream bits [6i, 6i+6)
  bytes1,  // one byte per code (5..8-bit formats; 3-bit codes too, low bits)
  bytes2,  // two bytes per code, little endian (9..16-bit formats)
  bytes4,  // four bytes per code, little endian (fp32, tf32's 19-bit codes)
};

// The packing of a format's codes: 2-bit -> bits2, 4-bit -> bits4, 6-bit -> bits6 (dense) or
// bytes1 when `fp6_unpacked`; other widths take whole bytes.
Packing packing_for(const ElementFormat& f, bool fp6_unpacked = false);

// Bytes needed for n codes (an odd tail is padded with zero bits).
size_t packed_bytes(Packing p, size_t n);

// codes[n] -> bytes[packed_bytes(p, n)]; only the low bits of each code that the packing holds
// are stored, the padding bits are zero.
void pack_codes(Packing p, const uint32_t* codes, size_t n, uint8_t* bytes);

// bytes -> codes[n]; the exact inverse of pack_codes.
void unpack_codes(Packing p, const uint8_t* bytes, size_t n, uint32_t* codes);

const char* packing_name(Packing p);

}  // namespace lowp
