// Test inputs for the kernels: random values at every scale mixed with every special case.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/runtime.h"
#include "util/bits.h"
#include "util/philox.h"

namespace lowp::test {

// n values from stream `seed`: mostly random magnitudes over many binades (around `center`,
// a power of two), with zeros, infinities, NaNs, fp32 subnormals, huge values, exact ties of
// small formats and raw random bit patterns sprinkled in.
inline std::vector<float> mixed_inputs(int64_t n, uint64_t seed, int center = 0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t r = random_bits(seed, 1, static_cast<uint64_t>(i));
    const uint32_t r2 = random_bits(seed, 2, static_cast<uint64_t>(i));
    const uint32_t sign = (r2 & 1u) << 31;
    float x;
    switch (r % 32) {
      case 0:
        x = 0.0f;
        break;
      case 1:
        x = u2f(0x7F800000u);
        break;
      case 2:
        x = u2f(0x7FC00000u | (r2 & 0x3FFFFFu));
        break;  // NaN with payload
      case 3:
        x = u2f(r2 & 0x7FFFFFu);
        break;  // fp32 subnormal
      case 4:
        x = u2f(0x7F7FFFFFu - (r2 & 0xFFFFu));
        break;  // near FLT_MAX
      case 5:
        x = u2f(r2 & 0x7FFFFFFFu);
        break;  // any bit pattern
      case 6:   // ties of 1-4 mantissa bits
        x = exp2i(center + static_cast<int>(r2 >> 8) % 24 - 12) *
            (1.0f + static_cast<float>((r2 >> 1) % 32) / 32.0f + 1.0f / 64.0f);
        break;
      case 7:
        x = exp2i(center + static_cast<int>(r2 >> 8) % 20 - 10);
        break;    // powers of 2
      default: {  // log-uniform over 40 binades around center
        const int e = center + static_cast<int>(r2 >> 8) % 40 - 20;
        x = exp2i(std::max(-149, std::min(127, e))) *
            (1.0f + static_cast<float>(r >> 9) * 0x1p-23f);
      }
    }
    v[static_cast<size_t>(i)] = u2f(f2u(x) | sign);
  }
  return v;
}

// Runs fn once per compiled-and-supported SIMD target (dispatch restricted to it), then
// restores automatic selection.
template <class Fn>
void for_each_target(Fn fn) {
  for (const std::string& t : kernels::simd_targets()) {
    kernels::use_simd_target(t);
    fn(t);
  }
  kernels::use_simd_target("");
}

}  // namespace lowp::test
