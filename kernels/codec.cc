// Builds ElemCodec constants from an element format, mirroring the oracle's decisions.
#include "kernels/codec.h"

#include <array>
#include <cmath>
#include <limits>

#include "util/bits.h"

namespace lowp::kernels {
namespace {

bool toward_zero(Round mode, bool neg) {
  return mode == Round::rtz || (mode == Round::up && neg) || (mode == Round::down && !neg);
}

}  // namespace

const int32_t* log2_up_table() {
  static const std::array<int32_t, kLog2UpSize> table = [] {
    std::array<int32_t, kLog2UpSize> t{};
    for (int i = 0; i < kLog2UpSize; ++i) {
      const int e = i - kLog2UpBias - 127;  // unbiased exponent of sig * 2^(e - 23)
      const auto up = [e](int32_t sig) {
        return floor_log2_fp32(std::ldexp(static_cast<double>(sig), e - 23)) > e;
      };
      int32_t lo = 1 << 23, hi = (1 << 24) - 1;  // floor_log2_fp32 is monotone in the value
      if (!up(hi)) {
        t[i] = 1 << 24;
        continue;
      }
      while (lo < hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (up(mid))
          hi = mid;
        else
          lo = mid + 1;
      }
      t[i] = lo;
    }
    return t;
  }();
  return table.data();
}

ElemCodec make_codec(const ElementFormat& f, const CastOptions& o, bool keep_inf_value) {
  ElemCodec c;
  c.simd = f.kind == ElemKind::minifloat || f.kind == ElemKind::integer;
  // ml_dtypes integer casts truncate and wrap modulo 2^bits: left to the oracle.
  if (f.kind == ElemKind::integer && o.profile == Profile::ml_dtypes && f.frac_bits == 0)
    c.simd = false;
  if (!c.simd) return c;
  c.is_int = f.kind == ElemKind::integer;
  // Profile microxcaling in its three modes (formats/element.cc, round_mx and mx_exponent_up).
  const bool mx = o.profile == Profile::microxcaling &&
                  (o.round == Round::rna || o.round == Round::rne || o.round == Round::rtz);
  switch (o.round) {
    case Round::rne:
      c.round = mx ? RoundKind::mx_fp32 : RoundKind::rne;
      break;
    case Round::odd:
      c.round = RoundKind::odd;
      break;
    case Round::sr:
      c.round = RoundKind::sr;
      break;
    case Round::sr_equal:
      c.round = RoundKind::sr_equal;
      break;
    case Round::rna:
      c.round = mx ? RoundKind::mx_fp32 : RoundKind::incr;
      break;
    case Round::rtz:
      c.round = mx ? RoundKind::mx_fp32 : RoundKind::incr;
      break;
    case Round::rnz:
    case Round::up:
    case Round::down:
      c.round = RoundKind::incr;
      break;
  }
  const uint32_t all = 0xFFFFFFFFu;
  c.inc_half = (o.round == Round::rna || o.round == Round::rnz) ? all : 0;
  c.inc_one = o.round == Round::rna ? 1 : 0;
  c.inc_full[0] = o.round == Round::up ? all : 0;
  c.inc_full[1] = o.round == Round::down ? all : 0;
  c.mx_mode = o.round;
  // Only floor results change when the fp32 exponent comes out one too high (element.cc's
  // mx_exponent_up: minifloats with mantissa bits).
  if (mx && o.round == Round::rtz && f.kind == ElemKind::minifloat && f.mbits > 0)
    c.log2_up = log2_up_table();
  c.sr_bits = o.sr_bits;
  c.seed = o.seed;
  c.stream = o.stream;

  c.bits = f.bits;
  c.is_signed = f.is_signed;
  c.sign_bit = f.is_signed ? f.sign_bit : 0;
  c.max_mag = f.max_mag;
  c.max_finite = f.max_finite();
  const bool fnuz = f.specials == Specials::fnuz;
  if (c.is_int) {
    c.frac_bits = f.frac_bits;
    c.hi = f.max_mag;
    c.lo_mag = f.symmetric ? f.max_mag : f.max_mag + 1;
    c.code_mask = (1u << f.bits) - 1;
  } else {
    c.emin = 128 - f.bias;
    c.mbits = f.mbits;
    c.subnormals = o.subnormals;
    c.plus_zero_result =
        fnuz || o.profile == Profile::te || o.profile == Profile::microxcaling_cuda;
    c.plus_zero_input = c.plus_zero_result || o.profile == Profile::microxcaling;
  }

  // Special inputs: ask the oracle.
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (int s = 0; s < 2; ++s) {
    const float sg = s ? -1.0f : 1.0f;
    c.nan_code[s] = encode(f, std::copysign(qnan, sg), o, 0, &c.nan_flags[s]);
    c.nan_value[s] = decode(f, c.nan_code[s]);
    c.inf_code[s] = encode(f, sg * inf, o, 0, &c.inf_flags[s]);
    c.inf_value[s] = keep_inf_value ? sg * inf : decode(f, c.inf_code[s]);
    c.zero_code[s] = encode(f, sg * 0.0f, o, 0);
    c.zero_value[s] = decode(f, c.zero_code[s]);
    if (!c.is_int) {
      // formats.md 2.5 and 3: saturate, or a mode rounding the magnitude toward zero
      // (except ml_dtypes truncation), else inf / NaN.
      const bool neg = s == 1 && f.is_signed;
      const bool ml_trunc = o.profile == Profile::ml_dtypes && o.round == Round::rtz;
      c.ovf_saturates[s] =
          o.saturate || f.specials == Specials::finite || (toward_zero(o.round, neg) && !ml_trunc);
      const uint32_t sign = neg ? f.sign_bit : 0;
      c.ovf_code[s] = f.has_inf ? (f.inf_code | sign) : (fnuz ? f.nan_code : (f.nan_code | sign));
      c.ovf_value[s] = decode(f, c.ovf_code[s]);
    }
  }
  return c;
}

}  // namespace lowp::kernels
