// Host-side description of one element cast for the SIMD codec: constants precomputed once.
#pragma once

#include <cstdint>

#include "formats/element.h"

namespace lowp::kernels {

// Rounding as the SIMD codec implements it. `incr` covers rna, rnz, rtz, up and down (one
// increment formula with per-mode constants); `mx_fp32` is profile microxcaling's rna, rne and
// rtz, computed the way its fp32 PyTorch code does (ElemCodec::mx_mode says which).
enum class RoundKind : uint8_t { rne, incr, odd, sr, sr_equal, mx_fp32 };

// Per fp32 biased exponent E of a value (index E + kLog2UpBias, E in [-22, 254] with fp32
// subnormals normalised): the smallest 24-bit significand whose log2, rounded to fp32 and
// floored, is one above the value's exponent (1 << 24: none). See floor_log2_fp32.
inline constexpr int kLog2UpBias = 22;
inline constexpr int kLog2UpSize = 255 + kLog2UpBias;
const int32_t* log2_up_table();

// One element cast (format + options), as constants. Index [s] is the input's sign (0 = +).
// Invariant: the SIMD codec built from this equals formats/element.h's encode/decode
// bit for bit; `simd` is false for the combinations left to the oracle.
struct ElemCodec {
  bool simd = true;
  bool is_int = false;
  RoundKind round = RoundKind::rne;
  // `incr` constants: m = (sig + inc) >> sh, inc = (half_minus_1 & inc_half) + inc_one +
  // (mask & inc_full[s]).
  uint32_t inc_half = 0, inc_one = 0, inc_full[2] = {0, 0};
  Round mx_mode = Round::rna;        // mx_fp32: microxcaling's nearest (rna), even, floor
  const int32_t* log2_up = nullptr;  // mx_fp32 floor on minifloats: log2_up_table()
  int sr_bits = 0;                   // 0: as many random bits as the shift needs
  uint64_t seed = 0;
  uint32_t stream = 0;

  int bits = 0;
  uint32_t sign_bit = 0;  // code sign bit (0 for unsigned use)
  bool is_signed = true;
  uint32_t max_mag = 0;  // largest finite magnitude code
  float max_finite = 0;  // its value

  // Minifloats: fp32 biased exponent of the smallest normal (128 - bias), mantissa bits.
  int emin = 0;
  int mbits = 0;
  bool subnormals = true;         // false: results below the smallest normal flush to zero
  bool plus_zero_result = false;  // a non-zero input rounded to zero gives +0
  bool plus_zero_input = false;   // a zero input gives +0

  // Integers: value = k * 2^-frac_bits, k in [-lo_mag, hi].
  int frac_bits = 0;
  uint32_t hi = 0, lo_mag = 0, code_mask = 0;

  // Special inputs, from the oracle itself: code, value and CastFlag bits per sign.
  uint32_t nan_code[2] = {0, 0}, inf_code[2] = {0, 0}, zero_code[2] = {0, 0};
  float nan_value[2] = {0, 0}, inf_value[2] = {0, 0}, zero_value[2] = {0, 0};
  uint8_t nan_flags[2] = {0, 0}, inf_flags[2] = {0, 0};
  // Finite overflow: saturate to max (flag kSaturated) or give ovf_code/ovf_value (kOverflowed).
  bool ovf_saturates[2] = {true, true};
  uint32_t ovf_code[2] = {0, 0};
  float ovf_value[2] = {0, 0};
};

// Builds the codec of `elem` under `o`. `keep_inf_value`: the unscaled microxcaling rule
// (an infinite input's fake-quantized value stays infinite).
ElemCodec make_codec(const ElementFormat& elem, const CastOptions& o, bool keep_inf_value);

}  // namespace lowp::kernels
