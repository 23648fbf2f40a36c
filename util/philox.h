// Philox4x32-10 counter-based generator: random bits as a pure function of (seed, stream, index).
#pragma once

#include <array>
#include <cstdint>

namespace lowp {

// One Philox4x32-10 block: 4 words from a 128-bit counter and a 64-bit key (Salmon et al. 2011).
inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> ctr,
                                          std::array<uint32_t, 2> key) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{kM0} * ctr[0];
    const uint64_t p1 = uint64_t{kM1} * ctr[2];
    ctr = {static_cast<uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<uint32_t>(p1),
           static_cast<uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<uint32_t>(p0)};
    key[0] += kW0;
    key[1] += kW1;
  }
  return ctr;
}

// The 32 random bits for element `index` of stream `stream` under `seed`. Invariant: the
// value depends on nothing else, so any thread count or split of the work draws the same
// bits. Four consecutive indices share one Philox block (one word each).
inline uint32_t random_bits(uint64_t seed, uint32_t stream, uint64_t index) {
  const uint64_t block = index >> 2;
  const auto out = philox4x32({static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                               stream, 0x6C6F7770u /* "lowp" */},
                              {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  return out[index & 3];
}

}  // namespace lowp
