// Bit packing of element codes; pure byte manipulation shared by files and kernels.
#include "formats/pack.h"

#include <cstring>

namespace lowp {

Packing packing_for(const ElementFormat& f, bool fp6_unpacked) {
  if (f.bits <= 2) return Packing::bits2;
  if (f.bits == 4) return Packing::bits4;
  if (f.bits == 6) return fp6_unpacked ? Packing::bytes1 : Packing::bits6;
  if (f.bits <= 8) return Packing::bytes1;
  if (f.bits <= 16) return Packing::bytes2;
  return Packing::bytes4;
}

size_t packed_bytes(Packing p, size_t n) {
  switch (p) {
    case Packing::bits2:
      return (n + 3) / 4;
    case Packing::bits4:
      return (n + 1) / 2;
    case Packing::bits6:
      return (6 * n + 7) / 8;
    case Packing::bytes1:
      return n;
    case Packing::bytes2:
      return 2 * n;
    case Packing::bytes4:
      return 4 * n;
  }
  return 0;
}

void pack_codes(Packing p, const uint32_t* codes, size_t n, uint8_t* bytes) {
  std::memset(bytes, 0, packed_bytes(p, n));
  switch (p) {
    case Packing::bits2:
      for (size_t i = 0; i < n; ++i)
        bytes[i / 4] |= static_cast<uint8_t>((codes[i] & 3u) << (2 * (i % 4)));
      break;
    case Packing::bits4:
      for (size_t i = 0; i < n; ++i)
        bytes[i / 2] |= static_cast<uint8_t>((codes[i] & 15u) << (4 * (i % 2)));
      break;
    case Packing::bits6:
      for (size_t i = 0; i < n; ++i) {
        const size_t bit = 6 * i;
        const uint32_t v = (codes[i] & 63u) << (bit % 8);  // spans at most two bytes
        bytes[bit / 8] |= static_cast<uint8_t>(v);
        if ((bit % 8) > 2) bytes[bit / 8 + 1] |= static_cast<uint8_t>(v >> 8);
      }
      break;
    case Packing::bytes1:
      for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(codes[i]);
      break;
    case Packing::bytes2:
      for (size_t i = 0; i < n; ++i) {
        bytes[2 * i] = static_cast<uint8_t>(codes[i]);
        bytes[2 * i + 1] = static_cast<uint8_t>(codes[i] >> 8);
      }
      break;
    case Packing::bytes4:
      for (size_t i = 0; i < n; ++i)
        for (int k = 0; k < 4; ++k) bytes[4 * i + k] = static_cast<uint8_t>(codes[i] >> (8 * k));
      break;
  }
}

void unpack_codes(Packing p, const uint8_t* bytes, size_t n, uint32_t* codes) {
  switch (p) {
    case Packing::bits2:
      for (size_t i = 0; i < n; ++i) codes[i] = (bytes[i / 4] >> (2 * (i % 4))) & 3u;
      break;
    case Packing::bits4:
      for (size_t i = 0; i < n; ++i) codes[i] = (bytes[i / 2] >> (4 * (i % 2))) & 15u;
      break;
    case Packing::bits6:
      for (size_t i = 0; i < n; ++i) {
        const size_t bit = 6 * i;
        uint32_t v = bytes[bit / 8];
        if ((bit % 8) > 2) v |= static_cast<uint32_t>(bytes[bit / 8 + 1]) << 8;
        codes[i] = (v >> (bit % 8)) & 63u;
      }
      break;
    case Packing::bytes1:
      for (size_t i = 0; i < n; ++i) codes[i] = bytes[i];
      break;
    case Packing::bytes2:
      for (size_t i = 0; i < n; ++i)
        codes[i] = bytes[2 * i] | (static_cast<uint32_t>(bytes[2 * i + 1]) << 8);
      break;
    case Packing::bytes4:
      for (size_t i = 0; i < n; ++i) {
        codes[i] = 0;
        for (int k = 0; k < 4; ++k) codes[i] |= static_cast<uint32_t>(bytes[4 * i + k]) << (8 * k);
      }
      break;
  }
}

const char* packing_name(Packing p) {
  switch (p) {
    case Packing::bits2:
      return "bits2";
    case Packing::bits4:
      return "bits4";
    case Packing::bits6:
      return "bits6";
    case Packing::bytes1:
      return "bytes1";
    case Packing::bytes2:
      return "bytes2";
    case Packing::bytes4:
      return "bytes4";
  }
  return "?";
}

}  // namespace lowp
