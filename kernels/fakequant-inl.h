// Value-only fast path of fake quantization for minifloats (per SIMD target): rounds the fp32
// bits directly, without forming element codes. Same results as decode(encode(x)) of
// codec-inl.h; vectors it cannot take (see FakeQuantVec) go through the codec instead.
#if defined(LOWP_KERNELS_FAKEQUANT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_FAKEQUANT_INL_H_
#undef LOWP_KERNELS_FAKEQUANT_INL_H_
#else
#define LOWP_KERNELS_FAKEQUANT_INL_H_
#endif

#include <algorithm>
#include <cstdint>

#include "hwy/highway.h"
#include "kernels/codec-inl.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Constants of the fast path for one codec (minifloats). sh0 = 23 - mbits is the number of
// fp32 fraction bits an element of the format's normal range drops.
template <class DF>
struct VFast {
  using VU = hn::Vec<hn::RebindToUnsigned<DF>>;
  VU keep;              // ~(2^sh0 - 1): the fraction bits an element keeps
  VU drop;              // 2^sh0 - 1
  VU lsb;               // 2^sh0: one unit in the last kept place
  VU inc_pos, inc_neg;  // `incr` modes: the rounding increment per sign
  VU c23;               // 23 - mbits, the exponent distance from a quantum to its 2^23 multiple
  VU rne_limit;      // RNE: |x| bits above this leave the fast path (its 2^23 multiple overflows)
  int sr_keep = 0;   // sr: random bits used in the normal range
  int sr_shift = 0;  // sr: where they go (sh0 - sr_keep)
  // The codec's switches, held by value so hot loops need not reload them.
  bool subnormals, plus_zero_result, plus_zero_input, is_signed, ovf_saturates[2];
  float ovf_value[2];
  explicit VFast(const ElemCodec& c)
      : subnormals(c.subnormals),
        plus_zero_result(c.plus_zero_result),
        plus_zero_input(c.plus_zero_input),
        is_signed(c.is_signed),
        ovf_saturates{c.ovf_saturates[0], c.ovf_saturates[1]},
        ovf_value{c.ovf_value[0], c.ovf_value[1]} {
    const hn::RebindToUnsigned<DF> du;
    const int sh0 = 23 - c.mbits;
    const uint32_t drop_bits = (1u << sh0) - 1;
    keep = hn::Set(du, ~drop_bits);
    drop = hn::Set(du, drop_bits);
    lsb = hn::Set(du, 1u << sh0);
    const uint32_t half = 1u << (sh0 - 1);
    const auto inc = [&](int s) {
      return (c.inc_half & (half - 1)) + c.inc_one + (c.inc_full[s] & drop_bits);
    };
    inc_pos = hn::Set(du, inc(0));
    inc_neg = hn::Set(du, inc(1));
    c23 = hn::Set(du, static_cast<uint32_t>(23 - c.mbits));
    rne_limit = hn::Set(du, std::min<uint32_t>(0x7F7FFFFFu, ((232u + c.mbits) << 23) - 1));
    sr_keep = (c.sr_bits > 0 && c.sr_bits < sh0) ? c.sr_bits : sh0;
    sr_shift = sh0 - sr_keep;
  }
};

// A vector's group parameters for the fast path (lanes may differ: column blocks).
template <class DF>
struct FastScale {
  hn::Vec<hn::RebindToUnsigned<DF>> EX;  // fp32 exponent field of the element's 2^emin * 2^X
  hn::Vec<DF> q;                         // the subnormal-range quantum 2^(emin - mbits) * 2^X
  hn::Vec<DF> maxv;                      // max finite * 2^X
  hn::Vec<DF> minv;                      // min normal * 2^X (flush threshold)
};

// Fake-quantizes a vector of minifloat lanes (x * 2^-X, value * 2^X). Returns false, with
// *out untouched, if a lane needs the codec: NaN / inf, fp32 subnormals under stochastic
// rounding, and (RNE) magnitudes whose 2^23-quantum multiple overflows fp32. The caller
// guarantees per group: EX >= 1, q and maxv finite normal or subnormal fp32 values.
template <RoundKind kMode, class DF>
HWY_INLINE bool FakeQuantVec(DF df, const VCodec<DF>& vc, const VFast<DF>& vf,
                             const FastScale<DF>& fs, hn::Vec<DF> xs,
                             hn::Vec<hn::RebindToUnsigned<DF>> rnd, hn::Vec<DF>* out) {
  using VU = hn::Vec<hn::RebindToUnsigned<DF>>;
  const hn::RebindToUnsigned<DF> du;
  const hn::RebindToSigned<DF> di;
  const VU xb = hn::BitCast(du, xs);
  const VU a = hn::And(xb, hn::Set(du, 0x7FFFFFFFu));
  const VU sgn = hn::Xor(xb, a);
  if constexpr (kMode == RoundKind::rne) {
    if (!hn::AllFalse(du, hn::Gt(a, vf.rne_limit))) return false;
  } else {
    auto bad = hn::Gt(a, hn::Set(du, 0x7F7FFFFFu));
    if constexpr (kMode == RoundKind::sr)  // the oracle normalises fp32 subnormals first
      bad = hn::Or(bad, hn::Lt(hn::Sub(a, hn::Set(du, 1)), hn::Set(du, 0x7FFFFFu)));
    if (!hn::AllFalse(du, bad)) return false;
  }
  const auto neg = hn::Ne(sgn, hn::Zero(du));
  const VU E = hn::ShiftRight<23>(a);
  hn::Vec<DF> y;
  if constexpr (kMode == RoundKind::rne) {
    // The FPU rounds |x| + C to a multiple of C * 2^-23 = the lane's quantum, ties to even.
    const auto C = hn::BitCast(df, hn::ShiftLeft<23>(hn::Add(hn::Max(E, fs.EX), vf.c23)));
    y = hn::Sub(hn::Add(hn::BitCast(df, a), C), C);
  } else {
    // Normal range (E >= EX): round the fp32 bits at fraction bit sh0; carries move up.
    VU yn;
    if constexpr (kMode == RoundKind::odd) {
      const auto inexact = hn::Ne(hn::And(a, vf.drop), hn::Zero(du));
      yn = hn::Or(hn::And(a, vf.keep), hn::IfThenElseZero(inexact, vf.lsb));
    } else {
      VU inc;
      if constexpr (kMode == RoundKind::incr) {
        inc = hn::IfThenElse(neg, vf.inc_neg, vf.inc_pos);
      } else if constexpr (kMode == RoundKind::sr) {
        inc = hn::ShiftLeftSame(hn::ShiftRightSame(rnd, 32 - vf.sr_keep), vf.sr_shift);
      } else {  // sr_equal
        const auto up = hn::And(hn::Ne(hn::And(a, vf.drop), hn::Zero(du)),
                                hn::Ne(hn::ShiftRight<31>(rnd), hn::Zero(du)));
        inc = hn::IfThenElseZero(up, vf.lsb);
      }
      yn = hn::And(hn::Add(a, inc), vf.keep);
    }
    y = hn::BitCast(df, yn);
    const auto normal = hn::Not(hn::Lt(hn::BitCast(di, E), hn::BitCast(di, fs.EX)));
    if (!hn::AllTrue(di, normal)) {
      // Subnormal range: a fixed quantum q, an integer multiple m of it.
      const VU Ee = hn::Max(E, hn::Set(du, 1));
      const VU sig = hn::Sub(a, hn::ShiftLeft<23>(hn::Sub(Ee, hn::Set(du, 1))));
      const VU sh_true = hn::Add(
          hn::BitCast(du, hn::Max(hn::BitCast(di, hn::Sub(fs.EX, Ee)), hn::Zero(di))), vf.c23);
      const VU sh = hn::Min(sh_true, hn::Set(du, 25));
      const VU m = RoundShift<kMode>(vc, sig, sh, sh_true, neg, rnd);
      const auto ys = hn::Mul(hn::ConvertTo(df, hn::BitCast(di, m)), fs.q);
      y = hn::IfThenElse(hn::RebindMask(df, normal), y, ys);
    }
  }
  if (!vf.subnormals) y = hn::IfThenZeroElse(hn::Lt(y, fs.minv), y);
  hn::Vec<DF> r = hn::BitCast(df, hn::Or(hn::BitCast(du, y), sgn));
  if (vf.plus_zero_result || vf.plus_zero_input) {
    const auto plus =
        vf.plus_zero_result ? hn::Eq(y, hn::Zero(df)) : hn::RebindMask(df, hn::Eq(a, hn::Zero(du)));
    r = hn::IfThenZeroElse(plus, r);
  }
  // Overflow without a branch: block-scaled formats clamp their amax element often (OCP's
  // floor rule maps it into [2^emax, 2^(emax+1))), so a branch here would mispredict.
  const auto ovf = hn::Gt(y, fs.maxv);
  const auto pos_v = vf.ovf_saturates[0] ? fs.maxv : hn::Set(df, vf.ovf_value[0]);
  const auto neg_v = vf.ovf_saturates[1] ? hn::Neg(fs.maxv) : hn::Set(df, vf.ovf_value[1]);
  r = hn::IfThenElse(ovf, hn::IfThenElse(hn::RebindMask(df, neg), neg_v, pos_v), r);
  if (!vf.is_signed) r = hn::IfThenZeroElse(hn::RebindMask(df, neg), r);
  *out = r;
  return true;
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_FAKEQUANT_INL_H_
