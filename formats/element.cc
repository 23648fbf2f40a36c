// The scalar oracle: exact fp32 <-> code conversion for every element format and rounding mode.
#include "formats/element.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "util/bits.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp {
namespace {

// A finite non-zero fp32 magnitude as sig * 2^(e - 23), sig in [2^23, 2^24).
struct Normalized {
  uint32_t sig;
  int e;
};

Normalized normalize(uint32_t a) {
  const uint32_t exp_field = a >> 23, frac = a & 0x7FFFFFu;
  if (exp_field != 0) return {frac | 0x800000u, static_cast<int>(exp_field) - 127};
  const int k = std::countl_zero(frac) - 8;  // fp32 subnormal: shift the leading 1 to bit 23
  return {frac << k, -126 - k};
}

// Shifts `sig` right by `sh` (1..32) and rounds the discarded bits with `mode`.
// `neg` is the sign of the value (for directed modes); `rnd` is 32 random bits (sr modes).
uint64_t round_shift(uint64_t sig, int sh, Round mode, bool neg, uint32_t rnd, int sr_bits) {
  const uint64_t trunc = sig >> sh;
  const uint64_t r = sig & ((uint64_t{1} << sh) - 1);
  const uint64_t h = uint64_t{1} << (sh - 1);
  switch (mode) {
    case Round::rne:
      return trunc + (r > h || (r == h && (trunc & 1)));
    case Round::rna:
      return trunc + (r >= h);
    case Round::rnz:
      return trunc + (r > h);
    case Round::rtz:
      return trunc;
    case Round::up:
      return trunc + (r != 0 && !neg);
    case Round::down:
      return trunc + (r != 0 && neg);
    case Round::odd:
      return r != 0 ? (trunc | 1) : trunc;
    case Round::sr: {
      // Proportional: add k uniform bits at the top of the discarded field, then truncate.
      const int k = (sr_bits <= 0 || sr_bits > sh) ? sh : sr_bits;
      const uint64_t R = static_cast<uint64_t>(rnd) >> (32 - k);
      return (sig + (R << (sh - k))) >> sh;
    }
    case Round::sr_equal:
      return trunc + (r != 0 && (rnd >> 31));
  }
  return trunc;
}

// Profile microxcaling in its three modes (rna = its "nearest", rne = "even", rtz = "floor"):
// rounding as its PyTorch code does it in fp32 (round_mx) and its per-element exponent
// (mx_exponent_up). Other modes have no counterpart there and round exactly.
bool mx_rounding(const CastOptions& o) {
  return o.profile == Profile::microxcaling &&
         (o.round == Round::rna || o.round == Round::rne || o.round == Round::rtz);
}

// floor(fl32(sig / 2^sh + 0.5)): the fp32 sum can round up past a tie (t >= 2^24 keeps 24 bits).
// `sh` is the true shift: for sh > 25 the value is below 1/4 and the sum stays below 1.
uint64_t round_half_up_fp32(uint64_t sig, int sh) {
  if (sh > 25) return 0;
  uint64_t t = sig + (uint64_t{1} << (sh - 1));
  if (t >= (uint64_t{1} << 24) && (t & 1)) t += ((t >> 1) & 1) ? 1 : -1;  // RNE of the last bit
  return t >> sh;
}

// microxcaling's rounding of t = sig / 2^sh (sig < 2^24, so t is an fp32 value; sh >= 1 is the
// true shift). nearest: floor(t + 0.5) with the sum in fp32, so t = 0.5 - 2^-25 gives 1.
// even: the same minus 1 where t - 0.5 is an even integer (exact in fp32 for t >= 1/4; below,
// it is negative): exact ties go to even, but 0.5 - 2^-25 still gives 1. floor: floor(t).
uint64_t round_mx(uint64_t sig, int sh, Round mode) {
  if (mode == Round::rtz) return sig >> std::min(sh, 25);
  if (mode == Round::rne && sh <= 25) {
    const uint64_t half = uint64_t{1} << (sh - 1);
    if ((sig & ((half << 1) - 1)) == half && ((sig >> sh) & 1) == 0) return sig >> sh;
  }
  return round_half_up_fp32(sig, sh);
}

// microxcaling takes an element's exponent as floor(log2|x|) in fp32, which is e + 1 (not e) for
// some x = sig * 2^(e - 23) a few ulps below 2^(e+1); x is then rounded on the grid of the binade
// above, one bit coarser (this changes `floor` results; nearest and even land on 2^(e+1) either
// way). Only where e is at least the element's smallest normal exponent: below, microxcaling
// clamps the exponent to that one, as the subnormal grid does.
bool mx_exponent_up(const Normalized& n) {
  return floor_log2_fp32(std::ldexp(static_cast<double>(n.sig), n.e - 23)) > n.e;
}

// The code of a zero result: signed, except fnuz (no -0) and the profiles that give +0
// (microxcaling turns a -0 input into +0 but keeps the sign of a negative value rounded to 0).
uint32_t zero_code(const ElementFormat& f, const CastOptions& o, uint32_t sign, bool input_zero) {
  const bool plus = f.specials == Specials::fnuz || o.profile == Profile::te ||
                    (o.profile == Profile::microxcaling && input_zero) ||
                    o.profile == Profile::microxcaling_cuda;
  return plus ? 0 : sign;
}

// True when `mode` rounds this value's magnitude toward zero (IEEE overflow gives max finite).
bool toward_zero(Round mode, bool neg) {
  return mode == Round::rtz || (mode == Round::up && neg) || (mode == Round::down && !neg);
}

uint32_t draw(const CastOptions& o, uint64_t index) {
  return (o.round == Round::sr || o.round == Round::sr_equal) ? random_bits(o.seed, o.stream, index)
                                                              : 0u;
}

void set(uint8_t* flags, uint8_t bit) {
  if (flags) *flags |= bit;
}

uint32_t encode_e8m0(float x, const CastOptions& o, uint64_t index, uint8_t* flags) {
  const uint32_t u = f2u(x), a = u & 0x7FFFFFFFu;
  if (a >= 0x7F800000u) return 0xFF;  // NaN and inf
  if (a == 0 || (u >> 31)) {          // no zero and no sign: NaN, or the smallest value
    if (o.saturate) {
      set(flags, a == 0 ? 0 : kSaturated);
      return 0x00;
    }
    set(flags, kOverflowed);
    return 0xFF;
  }
  const Normalized n = normalize(a);
  if (n.e < -127) return 0x00;  // below 2^-127 every mode lands on the smallest value
  // The implicit bit is the least significant kept bit, so RNE ties round up.
  const uint64_t m = round_shift(n.sig, 23, o.round, false, draw(o, index), o.sr_bits);
  const uint64_t code = static_cast<uint64_t>(n.e + 127) + (m - 1);
  if (code > 0xFE) {
    if (o.saturate) {
      set(flags, kSaturated);
      return 0xFE;
    }
    set(flags, kOverflowed);
    return 0xFF;
  }
  return static_cast<uint32_t>(code);
}

uint32_t encode_integer(const ElementFormat& f, float x, int exp_offset, const CastOptions& o,
                        uint64_t index, uint8_t* flags) {
  const uint32_t u = f2u(x), a = u & 0x7FFFFFFFu;
  const bool neg = u >> 31;
  const uint32_t mask = (f.bits == 32) ? 0xFFFFFFFFu : ((1u << f.bits) - 1);
  const int64_t hi = (int64_t{1} << (f.bits - 1)) - 1;
  const int64_t lo = f.symmetric ? -hi : -hi - 1;
  if (a > 0x7F800000u) {
    set(flags, kNanMapped);
    return 0;
  }
  if (a == 0) return 0;
  int64_t k;
  if (a == 0x7F800000u) {
    k = neg ? lo : hi;
    set(flags, kSaturated);
  } else {
    const Normalized n = normalize(a);
    const int e = n.e + exp_offset + f.frac_bits;  // value * 2^frac_bits = sig * 2^(e - 23)
    const bool wrap = o.profile == Profile::ml_dtypes && f.frac_bits == 0;
    const Round mode = wrap ? Round::rtz : o.round;
    uint64_t m;
    if (e >= 40) {
      m = uint64_t{1} << 40;  // far beyond any clamp; wrapping keeps the low bits (zero)
      if (wrap) m = 0;
    } else if (e >= 23) {
      m = uint64_t{n.sig} << (e - 23);
    } else {
      const int sh = std::min(23 - e, 25);
      m = mx_rounding(o) ? round_mx(n.sig, 23 - e, o.round)
                         : round_shift(n.sig, sh, mode, neg, draw(o, index), o.sr_bits);
    }
    if (wrap) return static_cast<uint32_t>((neg ? (0 - m) : m)) & mask;  // ml_dtypes: wraps
    if (m == 0) {
      set(flags, kFlushed);
      return 0;
    }
    k = neg ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
    if (k > hi || k < lo) {
      k = k > hi ? hi : lo;
      set(flags, kSaturated);
    }
  }
  return static_cast<uint32_t>(k) & mask;
}

uint32_t encode_minifloat(const ElementFormat& f, float x, int exp_offset, const CastOptions& o,
                          uint64_t index, uint8_t* flags) {
  const uint32_t u = f2u(x), a = u & 0x7FFFFFFFu;
  const bool neg = (u >> 31) && f.is_signed;
  const uint32_t sign = neg ? f.sign_bit : 0;
  const bool fnuz = f.specials == Specials::fnuz;

  if (a > 0x7F800000u) {  // NaN
    if (f.has_nan) return fnuz ? f.nan_code : (f.nan_code | ((u >> 31) ? f.sign_bit : 0));
    set(flags, kNanMapped);
    if (o.profile == Profile::ml_dtypes) return (u >> 31) ? 0 : f.sign_bit;
    return 0;
  }
  if ((u >> 31) && !f.is_signed) return 0;  // unsigned use: negatives clamp to +0
  if (a == 0x7F800000u) {                   // inf
    if (f.has_inf) return f.inf_code | sign;
    if (f.specials == Specials::finite || (o.profile == Profile::microxcaling_cuda && o.saturate)) {
      set(flags, kSaturated);
      return f.max_mag | sign;
    }
    return fnuz ? f.nan_code : (f.nan_code | sign);  // fn: NaN even when saturating
  }
  if (a == 0) return zero_code(f, o, sign, true);

  Normalized n = normalize(a);
  n.e += exp_offset;
  const int base = n.e + f.bias - 1;  // biased exponent field minus one
  uint64_t mag;
  if (base > (1 << f.ebits) + 1) {
    mag = uint64_t{f.max_mag} + 1;  // beyond the exponent range: overflow in every mode
  } else {
    const int adj = base < 0 ? -base : 0;
    const int sh = std::min(23 - f.mbits + adj, 25);
    uint64_t m;
    if (mx_rounding(o)) {
      // One bit coarser when the exponent came out one higher (m counts quanta of this binade).
      // microxcaling has no format without mantissa bits; lowp keeps E?M0 exponents exact.
      const int up = f.mbits > 0 && base >= 0 && mx_exponent_up(n) ? 1 : 0;
      m = round_mx(n.sig, 23 - f.mbits + adj + up, o.round) << up;
    } else {
      m = round_shift(n.sig, sh, o.round, neg, draw(o, index), o.sr_bits);
    }
    mag = m + (static_cast<uint64_t>(base > 0 ? base : 0) << f.mbits);  // carry moves up
  }
  if (mag > f.max_mag) {
    const bool ml_trunc = o.profile == Profile::ml_dtypes && o.round == Round::rtz;
    if (o.saturate || f.specials == Specials::finite || (toward_zero(o.round, neg) && !ml_trunc)) {
      set(flags, kSaturated);
      return static_cast<uint32_t>(f.max_mag) | sign;
    }
    set(flags, kOverflowed);
    if (f.has_inf) return f.inf_code | sign;
    return fnuz ? f.nan_code : (f.nan_code | sign);
  }
  if (!o.subnormals && mag < (uint64_t{1} << f.mbits)) mag = 0;
  if (mag == 0) {
    set(flags, kFlushed);
    return zero_code(f, o, sign, false);
  }
  return static_cast<uint32_t>(mag) | sign;
}

int default_bias(int ebits, Specials s) {
  return s == Specials::fnuz ? (1 << (ebits - 1)) : (1 << (ebits - 1)) - 1;
}

}  // namespace

ElementFormat make_minifloat(int ebits, int mbits, Specials specials, int bias) {
  // X+Y+1 <= 16 is the grammar's rule for user formats; tf32 (e8m10, 19 bits) is named.
  if (ebits < 1 || ebits > 8 || mbits < 0 || mbits > 10)
    fail("format e" + std::to_string(ebits) + "m" + std::to_string(mbits) +
         " is out of range: need 1 <= X <= 8 and 0 <= Y <= 10");
  ElementFormat f;
  f.kind = ElemKind::minifloat;
  f.ebits = ebits;
  f.mbits = mbits;
  f.specials = specials;
  f.bias = bias == kDefaultBias ? default_bias(ebits, specials) : bias;
  f.bits = ebits + mbits + 1;
  f.sign_bit = 1u << (f.bits - 1);
  const uint32_t all = (1u << (ebits + mbits)) - 1;  // all magnitude bits set
  switch (specials) {
    case Specials::ieee:
      if (ebits < 2) fail("an ieee-style format needs at least 2 exponent bits");
      f.has_inf = true;
      f.inf_code = ((1u << ebits) - 1) << mbits;
      f.has_nan = mbits > 0;
      f.nan_code = mbits > 0 ? (f.inf_code | (1u << (mbits - 1))) : 0;
      f.max_mag = f.inf_code - 1;
      break;
    case Specials::fn:
      f.has_nan = true;
      f.nan_code = all;
      f.max_mag = all - 1;
      break;
    case Specials::fnuz:
      f.has_nan = true;
      f.nan_code = f.sign_bit;
      f.max_mag = all;
      break;
    case Specials::finite:
      f.max_mag = all;
      break;
  }
  // Invariant: every value is exact in fp32 (normal range up to 2^127, subnormals to 2^-149).
  const int max_field = static_cast<int>(f.max_mag >> mbits);
  if (max_field - f.bias > 127 || 1 - f.bias - mbits < -149)
    fail("format e" + std::to_string(ebits) + "m" + std::to_string(mbits) + " with bias " +
         std::to_string(f.bias) + " has values outside fp32's range; choose a bias in [" +
         std::to_string(max_field - 127) + ", " + std::to_string(150 - mbits) + "]");
  return f;
}

ElementFormat make_e8m0() {
  ElementFormat f;
  f.kind = ElemKind::e8m0;
  f.ebits = 8;
  f.mbits = 0;
  f.bias = 127;
  f.specials = Specials::fn;
  f.is_signed = false;
  f.bits = 8;
  f.max_mag = 0xFE;
  f.has_nan = true;
  f.nan_code = 0xFF;
  return f;
}

ElementFormat make_fp32() {
  ElementFormat f;
  f.kind = ElemKind::fp32;
  f.ebits = 8;
  f.mbits = 23;
  f.bias = 127;
  f.specials = Specials::ieee;
  f.bits = 32;
  f.sign_bit = 0x80000000u;
  f.max_mag = 0x7F7FFFFFu;
  f.inf_code = 0x7F800000u;
  f.nan_code = 0x7FC00000u;
  f.has_inf = f.has_nan = true;
  return f;
}

ElementFormat make_integer(int bits, bool symmetric, int frac_bits) {
  if (bits < 2 || bits > 16) fail("integer formats have 2 to 16 bits, not " + std::to_string(bits));
  ElementFormat f;
  f.kind = ElemKind::integer;
  f.bits = bits;
  f.mbits = bits - 1;
  f.symmetric = symmetric;
  f.frac_bits = frac_bits;
  f.specials = Specials::finite;
  f.sign_bit = 1u << (bits - 1);
  f.max_mag = (1u << (bits - 1)) - 1;
  return f;
}

ElementFormat make_unsigned(ElementFormat f) {
  f.is_signed = false;
  return f;
}

uint32_t encode(const ElementFormat& f, float x, const CastOptions& o, uint64_t index,
                uint8_t* flags) {
  switch (f.kind) {
    case ElemKind::minifloat:
      return encode_minifloat(f, x, 0, o, index, flags);
    case ElemKind::e8m0:
      return encode_e8m0(x, o, index, flags);
    case ElemKind::integer:
      return encode_integer(f, x, 0, o, index, flags);
    case ElemKind::fp32:
      return f2u(x);
  }
  return 0;
}

uint32_t encode_scaled(const ElementFormat& f, float x, int exp_offset, const CastOptions& o,
                       uint64_t index, uint8_t* flags) {
  switch (f.kind) {
    case ElemKind::minifloat:
      return encode_minifloat(f, x, exp_offset, o, index, flags);
    case ElemKind::integer:
      return encode_integer(f, x, exp_offset, o, index, flags);
    default:
      fail("encode_scaled: " + f.specials_name() + " elements take no block scale");
  }
}

bool is_nan_code(const ElementFormat& f, uint32_t code) {
  if (!f.has_nan) return false;
  switch (f.kind) {
    case ElemKind::e8m0:
      return code == 0xFF;
    case ElemKind::integer:
      return false;
    case ElemKind::fp32:
      return is_nan_bits(code);
    case ElemKind::minifloat:
      if (f.specials == Specials::fnuz) return code == f.nan_code;
      if (f.specials == Specials::fn) return (code & ~f.sign_bit) == f.nan_code;
      return (code & ~f.sign_bit) > f.inf_code;
  }
  return false;
}

float decode(const ElementFormat& f, uint32_t code) {
  if (f.kind == ElemKind::fp32) return u2f(code);
  code &= (1u << f.bits) - 1;
  const bool neg = f.is_signed && (code & f.sign_bit);
  if (is_nan_code(f, code)) return u2f(0x7FC00000u | (neg ? 0x80000000u : 0u));
  switch (f.kind) {
    case ElemKind::e8m0:
      return exp2i(static_cast<int>(code) - 127);
    case ElemKind::integer: {
      const int32_t k = static_cast<int32_t>(code << (32 - f.bits)) >> (32 - f.bits);
      return static_cast<float>(std::ldexp(static_cast<double>(k), -f.frac_bits));
    }
    case ElemKind::minifloat:
    case ElemKind::fp32:
      break;
  }
  const uint32_t mag = code & ~f.sign_bit;
  if (f.has_inf && mag == f.inf_code) return neg ? -INFINITY : INFINITY;
  const int exp_field = static_cast<int>(mag >> f.mbits);
  const uint32_t mant = mag & ((1u << f.mbits) - 1);
  const double v = exp_field == 0 ? std::ldexp(static_cast<double>(mant), 1 - f.bias - f.mbits)
                                  : std::ldexp(static_cast<double>(mant | (1u << f.mbits)),
                                               exp_field - f.bias - f.mbits);
  const float r = static_cast<float>(v);  // exact by the factory's invariant
  return neg ? -r : r;
}

float quantize(const ElementFormat& f, float x, const CastOptions& o, uint64_t index,
               uint8_t* flags) {
  if (o.profile == Profile::microxcaling && std::isinf(x)) return x;
  return decode(f, encode(f, x, o, index, flags));
}

int floor_log2_fp32(double a) {
  return static_cast<int>(std::floor(static_cast<float>(std::log2(a))));
}

float ElementFormat::max_finite() const {
  return decode(*this, max_mag);
}

float ElementFormat::min_normal() const {
  if (kind == ElemKind::integer) return decode(*this, 1);
  if (kind == ElemKind::e8m0) return decode(*this, 0);
  return decode(*this, 1u << mbits);
}

float ElementFormat::min_subnormal() const {
  switch (kind) {
    case ElemKind::fp32:
      return u2f(1);
    case ElemKind::e8m0:
      return 0.0f;
    case ElemKind::integer:
      return decode(*this, 1);  // the smallest non-zero magnitude
    case ElemKind::minifloat:
      return mbits == 0 ? 0.0f : decode(*this, 1);
  }
  return 0.0f;
}

int ElementFormat::emax() const {
  const float m = max_finite();
  return static_cast<int>((f2u(m) >> 23) & 0xFF) - 127;
}

std::string ElementFormat::specials_name() const {
  switch (kind) {
    case ElemKind::e8m0:
      return "e8m0";
    case ElemKind::integer:
      return symmetric ? "int-sym" : "int";
    case ElemKind::fp32:
      return "ieee";
    case ElemKind::minifloat:
      break;
  }
  switch (specials) {
    case Specials::ieee:
      return "ieee";
    case Specials::fn:
      return "fn";
    case Specials::fnuz:
      return "fnuz";
    case Specials::finite:
      return "finite";
  }
  return "?";
}

}  // namespace lowp
