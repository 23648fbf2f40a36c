// SIMD element codec (per target): fp32 lanes -> element codes, fake-quantized values, flags.
// Mirrors formats/element.cc's encode_minifloat / encode_integer lane by lane, with the
// block's power-of-two exponent offset X applied exactly (the MX path; X = 0 otherwise).
#if defined(LOWP_KERNELS_CODEC_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_CODEC_INL_H_
#undef LOWP_KERNELS_CODEC_INL_H_
#else
#define LOWP_KERNELS_CODEC_INL_H_
#endif

#include <cstdint>

#include "hwy/highway.h"
#include "kernels/codec.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Per-lane variable shifts (counts must be 0..31 in every lane).
template <class V>
HWY_INLINE V ShlV(V v, V bits) {
  return v << bits;
}
template <class V>
HWY_INLINE V ShrV(V v, V bits) {
  return v >> bits;
}

// A codec's constants as vectors. Build once per task.
template <class DF>
struct VCodec {
  using DU = hn::RebindToUnsigned<DF>;
  using DI = hn::RebindToSigned<DF>;
  using VF = hn::Vec<DF>;
  using VU = hn::Vec<DU>;
  using VI = hn::Vec<DI>;
  const ElemCodec& c;
  VU inc_half, inc_one, inc_full_pos, inc_full_neg, sr_bits;
  VI emin, sh0;  // minifloat: 128 - bias and 23 - mbits; integer: sh0 = 150 - frac_bits
  VU max_mag, hi, lo_mag, code_mask, sign_code;
  VF max_finite;
  int sr_bits_n;  // c.sr_bits, held by value so hot loops need not reload it

  explicit VCodec(const ElemCodec& codec) : c(codec), sr_bits_n(codec.sr_bits) {
    const DU du;
    const DI di;
    const DF df;
    inc_half = hn::Set(du, c.inc_half);
    inc_one = hn::Set(du, c.inc_one);
    inc_full_pos = hn::Set(du, c.inc_full[0]);
    inc_full_neg = hn::Set(du, c.inc_full[1]);
    sr_bits = hn::Set(du, static_cast<uint32_t>(c.sr_bits));
    emin = hn::Set(di, c.emin);
    sh0 = hn::Set(di, c.is_int ? 150 - c.frac_bits : 23 - c.mbits);
    max_mag = hn::Set(du, c.max_mag);
    hi = hn::Set(du, c.hi);
    lo_mag = hn::Set(du, c.lo_mag);
    code_mask = hn::Set(du, c.code_mask);
    sign_code = hn::Set(du, c.sign_bit);
    max_finite = hn::Set(df, c.max_finite);
  }
};

// The result of encoding one vector: codes, values (decode(code) * 2^X) and CastFlag bits.
template <class DF>
struct Encoded {
  hn::Vec<hn::RebindToUnsigned<DF>> code;
  hn::Vec<DF> value;
  hn::Vec<hn::RebindToUnsigned<DF>> flags;
};

// 2^e as fp32 for e in [-149, 127] (subnormal results included).
template <class DF, class VI>
HWY_INLINE hn::Vec<DF> Pow2Wide(DF df, VI e) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const auto normal = hn::Gt(e, hn::Set(di, -127));
  const VI nb = hn::ShiftLeft<23>(hn::Add(e, hn::Set(di, 127)));
  const VI sub_shift =
      hn::Min(hn::Max(hn::Add(e, hn::Set(di, 149)), hn::Zero(di)), hn::Set(di, 31));
  const auto sb = ShlV(hn::Set(du, 1), hn::BitCast(du, sub_shift));
  return hn::BitCast(df, hn::IfThenElse(hn::RebindMask(du, normal), hn::BitCast(du, nb), sb));
}

// Rounds sig (< 2^24) right by sh (1..25) with the codec's mode; returns the kept integer.
// sh_true is the uncapped shift (used by mx_fp32, where beyond 25 the result is 0).
template <RoundKind kMode, class DF, class VU = hn::Vec<hn::RebindToUnsigned<DF>>>
HWY_INLINE VU RoundShift(const VCodec<DF>& vc, VU sig, VU sh, VU sh_true,
                         hn::Mask<hn::RebindToUnsigned<DF>> neg, VU rnd) {
  const hn::RebindToUnsigned<DF> du;
  const VU one = hn::Set(du, 1);
  const VU mask = hn::Sub(ShlV(one, sh), one);  // the discarded bits
  const VU trunc = ShrV(sig, sh);
  if constexpr (kMode == RoundKind::rne) {
    return ShrV(hn::Add(hn::Add(sig, hn::ShiftRight<1>(mask)), hn::And(trunc, one)), sh);
  } else if constexpr (kMode == RoundKind::incr) {
    const VU full = hn::IfThenElse(neg, vc.inc_full_neg, vc.inc_full_pos);
    const VU inc = hn::Add(hn::Add(hn::And(hn::ShiftRight<1>(mask), vc.inc_half), vc.inc_one),
                           hn::And(mask, full));
    return ShrV(hn::Add(sig, inc), sh);
  } else if constexpr (kMode == RoundKind::odd) {
    return hn::Or(trunc, hn::Min(hn::And(sig, mask), one));
  } else if constexpr (kMode == RoundKind::sr) {
    // k random bits at the top of the discarded field: the top sh bits of rnd with the lowest
    // sh - k cleared (k = min(sr_bits, sh), or sh when sr_bits is 0).
    VU r = ShrV(rnd, hn::Sub(hn::Set(du, 32), sh));
    if (vc.sr_bits_n > 0) {
      const VU clear = hn::Sub(sh, hn::Min(sh, vc.sr_bits));
      r = ShlV(ShrV(r, clear), clear);
    }
    return ShrV(hn::Add(sig, r), sh);
  } else if constexpr (kMode == RoundKind::sr_equal) {
    return hn::Add(trunc, hn::And(hn::Min(hn::And(sig, mask), one), hn::ShiftRight<31>(rnd)));
  } else {  // mx_fp32: element.cc's round_mx
    // floor (sh is at most 25 and sig < 2^24: far shifts give 0).
    if (vc.c.mx_mode == Round::rtz) return trunc;
    // floor(fl32(sig / 2^sh + 0.5)); the fp32 sum keeps 24 bits, RNE.
    const VU half = ShlV(one, hn::Sub(sh, one));
    VU t = hn::Add(sig, half);
    const auto odd_big =
        hn::And(hn::Gt(t, hn::Set(du, (1u << 24) - 1)), hn::Ne(hn::And(t, one), hn::Zero(du)));
    const VU step = hn::IfThenElse(hn::Ne(hn::And(t, hn::Set(du, 2)), hn::Zero(du)), one,
                                   hn::Set(du, 0xFFFFFFFFu));
    t = hn::Add(t, hn::IfThenElseZero(odd_big, step));
    VU m = hn::IfThenZeroElse(hn::Gt(sh_true, hn::Set(du, 25)), ShrV(t, sh));
    if (vc.c.mx_mode == Round::rne) {  // an exact tie above an even integer stays there
      const auto tie =
          hn::And(hn::Eq(hn::And(sig, mask), half), hn::Eq(hn::And(trunc, one), hn::Zero(du)));
      m = hn::IfThenElse(tie, trunc, m);
    }
    return m;
  }
}

// Splits |x| into exponent field Ee and 24-bit significand. kGeneral normalises fp32
// subnormals (as the oracle does); otherwise lanes must be zero or normal (zero gives sig 0).
template <bool kGeneral, class DF, class VU, class VI>
HWY_INLINE void Split(DF df, VU a, VI& Ee, VU& sig) {
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const VU E = hn::ShiftRight<23>(a);
  if constexpr (kGeneral) {
    const auto sub = hn::Eq(E, hn::Zero(du));
    const VU nb = hn::BitCast(du, hn::ConvertTo(df, hn::BitCast(di, a)));  // exact: a < 2^23
    const VI En = hn::Sub(hn::BitCast(di, hn::ShiftRight<23>(nb)), hn::Set(di, 149));
    Ee = hn::IfThenElse(hn::RebindMask(di, sub), En, hn::BitCast(di, E));
    sig =
        hn::Or(hn::And(hn::IfThenElse(sub, nb, a), hn::Set(du, 0x7FFFFFu)), hn::Set(du, 0x800000u));
  } else {
    Ee = hn::BitCast(di, hn::Max(E, hn::Set(du, 1)));
    sig = hn::Sub(a, hn::ShiftLeft<23>(hn::BitCast(du, hn::Sub(Ee, hn::Set(di, 1)))));
  }
}

// Selects a per-sign constant.
template <class D, class M, typename T>
HWY_INLINE hn::Vec<D> BySign(D d, M neg, const T (&v)[2]) {
  return hn::IfThenElse(neg, hn::Set(d, v[1]), hn::Set(d, v[0]));
}

// Overrides lanes with the oracle's special-input results (zero, inf, unsigned negative, NaN).
template <class DF>
HWY_INLINE void ApplySpecials(DF df, const VCodec<DF>& vc, hn::Vec<hn::RebindToUnsigned<DF>> a,
                              hn::Mask<hn::RebindToUnsigned<DF>> neg, bool all_lanes,
                              Encoded<DF>& r) {
  const hn::RebindToUnsigned<DF> du;
  const ElemCodec& c = vc.c;
  const auto negf = hn::RebindMask(df, neg);
  const auto over = [&](hn::Mask<decltype(du)> m, const uint32_t(&code)[2], const float(&val)[2],
                        const uint8_t(&fl)[2]) {
    const uint32_t fl32[2] = {fl[0], fl[1]};
    r.code = hn::IfThenElse(m, BySign(du, neg, code), r.code);
    r.value = hn::IfThenElse(hn::RebindMask(df, m), BySign(df, negf, val), r.value);
    r.flags = hn::IfThenElse(m, BySign(du, neg, fl32), r.flags);
  };
  const uint8_t none[2] = {0, 0};
  if (all_lanes) {
    over(hn::Eq(a, hn::Zero(du)), c.zero_code, c.zero_value, none);
    over(hn::Eq(a, hn::Set(du, 0x7F800000u)), c.inf_code, c.inf_value, c.inf_flags);
  }
  if (!c.is_signed) {  // unsigned use: negative inputs (not NaN) encode as +0
    const uint32_t zc[2] = {0, 0};
    const float zv[2] = {0.0f, 0.0f};
    over(hn::And(neg, hn::Lt(a, hn::Set(du, 0x7F800001u))), zc, zv, none);
  }
  if (all_lanes) over(hn::Gt(a, hn::Set(du, 0x7F800000u)), c.nan_code, c.nan_value, c.nan_flags);
}

// Encodes lanes of a minifloat: x * 2^-X per lane (X = 0 for unscaled casts). kFast needs
// finite lanes that are zero or at least 2^-126, every lane's Emin + X >= 1, and quanta of
// normal fp32 size (see Tier() in quantize-inl.h); kGeneral needs only quanta >= 2^-149.
template <RoundKind kMode, bool kGeneral, class DF>
HWY_INLINE Encoded<DF> EncodeMini(DF df, const VCodec<DF>& vc, hn::Vec<DF> xs,
                                  hn::Vec<hn::RebindToSigned<DF>> X,
                                  hn::Vec<hn::RebindToUnsigned<DF>> rnd, bool want_flags) {
  using VU = hn::Vec<hn::RebindToUnsigned<DF>>;
  using VI = hn::Vec<hn::RebindToSigned<DF>>;
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const ElemCodec& c = vc.c;
  const VU xb = hn::BitCast(du, xs);
  const VU a = hn::And(xb, hn::Set(du, 0x7FFFFFFFu));
  const VU sgn = hn::Xor(xb, a);
  const auto neg = hn::Ne(sgn, hn::Zero(du));
  VI Ee;
  VU sig;
  Split<kGeneral>(df, a, Ee, sig);
  // Oracle: base = e + bias - 1 (the element's exponent field minus one), adj = max(0, -base).
  const VI EX = hn::Add(vc.emin, X);
  const VI base = hn::Sub(Ee, EX);
  VU sh_true = hn::BitCast(du, hn::Add(hn::Max(hn::Sub(EX, Ee), hn::Zero(di)), vc.sh0));
  // microxcaling floor: one bit coarser where its fp32 log2 gives the exponent one too high
  // (element.cc's mx_exponent_up; only in the normal range, base >= 0).
  VU up = hn::Zero(du);
  if constexpr (kMode == RoundKind::mx_fp32) {
    if (c.log2_up) {
      const VI idx = hn::Min(hn::Max(hn::Add(Ee, hn::Set(di, kLog2UpBias)), hn::Zero(di)),
                             hn::Set(di, kLog2UpSize - 1));
      const VI first = hn::GatherIndex(di, c.log2_up, idx);
      const auto is_up = hn::And(hn::Gt(hn::BitCast(di, sig), hn::Sub(first, hn::Set(di, 1))),
                                 hn::Gt(base, hn::Set(di, -1)));
      up = hn::IfThenElseZero(hn::RebindMask(du, is_up), hn::Set(du, 1));
      sh_true = hn::Add(sh_true, up);
    }
  }
  const VU sh = hn::Min(sh_true, hn::Set(du, 25));
  const VU m = ShlV(RoundShift<kMode>(vc, sig, sh, sh_true, neg, rnd), up);
  VU mag = hn::Add(m, hn::ShiftLeftSame(hn::BitCast(du, hn::Max(base, hn::Zero(di))), c.mbits));
  // Value = m * quantum, quantum = 2^(max(Ee, EX) - mbits - 127): exact, one rounding at most.
  const VI field = hn::Sub(hn::Max(Ee, EX), hn::Set(di, c.mbits));
  hn::Vec<DF> quantum;
  if constexpr (kGeneral) {
    quantum = Pow2Wide(df, hn::Sub(field, hn::Set(di, 127)));
  } else {
    quantum = hn::BitCast(df, hn::ShiftLeft<23>(hn::Max(field, hn::Set(di, 1))));
  }
  hn::Vec<DF> vmag = hn::Mul(hn::ConvertTo(df, hn::BitCast(di, m)), quantum);
  const auto ovf = hn::Gt(mag, vc.max_mag);
  if (!c.subnormals) {
    const auto small = hn::Lt(mag, hn::Set(du, 1u << c.mbits));
    mag = hn::IfThenZeroElse(small, mag);
    vmag = hn::IfThenZeroElse(hn::RebindMask(df, small), vmag);
  }
  const auto zero = hn::Eq(mag, hn::Zero(du));
  Encoded<DF> r;
  r.value = hn::BitCast(df, hn::Or(hn::BitCast(du, vmag), sgn));
  r.code = hn::Or(mag, hn::IfThenElseZero(neg, vc.sign_code));
  r.flags = hn::Zero(du);
  if (c.plus_zero_result || c.plus_zero_input) {
    const auto plus = c.plus_zero_result ? zero : hn::Eq(a, hn::Zero(du));
    r.value = hn::IfThenZeroElse(hn::RebindMask(df, plus), r.value);
    r.code = hn::IfThenZeroElse(plus, r.code);
  }
  if (want_flags)
    r.flags = hn::IfThenElseZero(hn::AndNot(hn::Eq(a, hn::Zero(du)), zero), hn::Set(du, kFlushed));
  if (HWY_UNLIKELY(!hn::AllFalse(du, ovf))) {
    const auto negf = hn::RebindMask(df, neg);
    const auto satv = hn::Mul(vc.max_finite, Pow2Wide(df, X));
    const auto ovf_pos = c.ovf_saturates[0] ? satv : hn::Set(df, c.ovf_value[0]);
    const auto ovf_neg = c.ovf_saturates[1] ? hn::Neg(satv) : hn::Set(df, c.ovf_value[1]);
    r.value =
        hn::IfThenElse(hn::RebindMask(df, ovf), hn::IfThenElse(negf, ovf_neg, ovf_pos), r.value);
    const uint32_t codes[2] = {c.ovf_saturates[0] ? c.max_mag : c.ovf_code[0],
                               c.ovf_saturates[1] ? (c.max_mag | c.sign_bit) : c.ovf_code[1]};
    const uint32_t fl[2] = {c.ovf_saturates[0] ? kSaturated : kOverflowed,
                            c.ovf_saturates[1] ? kSaturated : kOverflowed};
    r.code = hn::IfThenElse(ovf, BySign(du, neg, codes), r.code);
    r.flags = hn::IfThenElse(ovf, BySign(du, neg, fl), r.flags);
  }
  if (kGeneral || !c.is_signed) ApplySpecials(df, vc, a, neg, kGeneral, r);
  return r;
}

// Encodes lanes of an integer format k * 2^-frac_bits (x * 2^-X per lane). Same tiers as
// EncodeMini, with quantum 2^(X - frac_bits).
template <RoundKind kMode, bool kGeneral, class DF>
HWY_INLINE Encoded<DF> EncodeInt(DF df, const VCodec<DF>& vc, hn::Vec<DF> xs,
                                 hn::Vec<hn::RebindToSigned<DF>> X,
                                 hn::Vec<hn::RebindToUnsigned<DF>> rnd, bool want_flags) {
  using VU = hn::Vec<hn::RebindToUnsigned<DF>>;
  using VI = hn::Vec<hn::RebindToSigned<DF>>;
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const VU xb = hn::BitCast(du, xs);
  const VU a = hn::And(xb, hn::Set(du, 0x7FFFFFFFu));
  const VU sgn = hn::Xor(xb, a);
  const auto neg = hn::Ne(sgn, hn::Zero(du));
  VI Ee;
  VU sig;
  Split<kGeneral>(df, a, Ee, sig);
  // Oracle: e = n.e + offset + frac; beyond e >= 23 no rounding (and far out of range here).
  const VI shi = hn::Sub(hn::Add(vc.sh0, X), Ee);
  const auto big = hn::Lt(shi, hn::Set(di, 1));
  const VU sh_true = hn::BitCast(du, hn::Max(shi, hn::Set(di, 1)));
  const VU sh = hn::Min(sh_true, hn::Set(du, 25));
  VU m = RoundShift<kMode>(vc, sig, sh, sh_true, neg, rnd);
  m = hn::IfThenElse(hn::RebindMask(du, big), hn::Set(du, 1u << 30), m);
  const VU lim = hn::IfThenElse(neg, vc.lo_mag, vc.hi);
  const auto sat = hn::Gt(m, lim);
  m = hn::Min(m, lim);
  const VI pe = hn::Sub(X, hn::Set(di, vc.c.frac_bits));
  const auto quantum = kGeneral ? Pow2Wide(df, pe)
                                : hn::BitCast(df, hn::ShiftLeft<23>(hn::Add(pe, hn::Set(di, 127))));
  const auto vmag = hn::Mul(hn::ConvertTo(df, hn::BitCast(di, m)), quantum);
  const auto zero = hn::Eq(m, hn::Zero(du));
  Encoded<DF> r;
  // decode(0) is +0: a zero code never carries the input's sign.
  r.value = hn::IfThenZeroElse(hn::RebindMask(df, zero),
                               hn::BitCast(df, hn::Or(hn::BitCast(du, vmag), sgn)));
  r.code = hn::And(hn::IfThenElse(neg, hn::Sub(hn::Zero(du), m), m), vc.code_mask);
  r.flags = hn::Zero(du);
  if (want_flags) {
    const auto flushed = hn::AndNot(hn::Eq(a, hn::Zero(du)), zero);
    r.flags = hn::Or(hn::IfThenElseZero(sat, hn::Set(du, kSaturated)),
                     hn::IfThenElseZero(flushed, hn::Set(du, kFlushed)));
  }
  if constexpr (kGeneral) ApplySpecials(df, vc, a, neg, true, r);
  return r;
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_CODEC_INL_H_
