// Builds ElemCodec constants from an element format, mirroring the oracle's decisions.
#include "kernels/codec.h"

#include <cmath>
#include <limits>

#include "util/bits.h"

namespace lowp::kernels {
namespace {

bool toward_zero(Round mode, bool neg) {
  return mode == Round::rtz || (mode == Round::up && neg) || (mode == Round::down && !neg);
}

}  // namespace

ElemCodec make_codec(const ElementFormat& f, const CastOptions& o, bool keep_inf_value) {
  ElemCodec c;
  c.simd = f.kind == ElemKind::minifloat || f.kind == ElemKind::integer;
  // ml_dtypes integer casts truncate and wrap modulo 2^bits: left to the oracle.
  if (f.kind == ElemKind::integer && o.profile == Profile::ml_dtypes && f.frac_bits == 0)
    c.simd = false;
  if (!c.simd) return c;
  c.is_int = f.kind == ElemKind::integer;
  const bool mx_quirk = o.profile == Profile::microxcaling && o.round == Round::rna;
  switch (o.round) {
    case Round::rne:
      c.round = RoundKind::rne;
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
      c.round = mx_quirk ? RoundKind::rna_fp32 : RoundKind::incr;
      break;
    case Round::rnz:
    case Round::rtz:
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
