// Verification of the SIMD kernels against the formats/ oracle (`lowp verify`, tests).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "formats/format.h"

namespace lowp::kernels {

// One disagreement between a kernel and the oracle.
struct Mismatch {
  uint32_t input_bits = 0;  // fp32 input (for block formats: the element)
  uint64_t index = 0;       // element index (the stochastic-rounding draw)
  std::string what;         // which output differed, with both results
};

struct VerifyResult {
  uint64_t inputs = 0;
  uint64_t mismatches = 0;
  double seconds = 0;
};

// Called for the first `max_reports` mismatches (from any thread, serialised).
using MismatchFn = std::function<void(const Mismatch&)>;

// Element formats (unscaled): runs quantize_tensor (codes and values) and fake_quantize on
// fp32 bit patterns and compares every result with encode / decode. Pattern p is element
// index p. `stride` 1 covers all 2^32 patterns; stride k covers every k-th pattern. With
// `edges`, the format's edge patterns are added (every code's value, the midpoints between
// neighbouring codes and their fp32 neighbours, fp32 specials and extremes). Multithreaded.
VerifyResult verify_patterns(const Format& f, uint64_t stride, bool edges, const MismatchFn& report,
                             int max_reports = 8);

// Any format: random tensors of awkward shapes (mixtures of scales, specials and ties),
// compared through every output of quantize_tensor, fake_quantize and dequantize_tensor.
VerifyResult verify_random(const Format& f, uint64_t seed, int cases, const MismatchFn& report,
                           int max_reports = 8);

}  // namespace lowp::kernels
