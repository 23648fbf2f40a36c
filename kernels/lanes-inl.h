// Per-vector scale state of the quantization tasks (per SIMD target): the per-exponent
// constants (XScale), tier choice, the scalar-oracle lanes and error sums.
#if defined(LOWP_KERNELS_LANES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_LANES_INL_H_
#undef LOWP_KERNELS_LANES_INL_H_
#else
#define LOWP_KERNELS_LANES_INL_H_
#endif

#include <array>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "hwy/highway.h"
#include "kernels/codec-inl.h"
#include "kernels/fakequant-inl.h"
#include "kernels/philox-inl.h"
#include "kernels/plan.h"
#include "util/bits.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using DU = hn::RebindToUnsigned<DF>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VU = hn::Vec<DU>;
using VI = hn::Vec<DI>;
using MU = hn::Mask<DU>;

enum class Tier { fast, general, oracle };

// What a vector's treatment depends on through its group's exponent X (pow2 kinds; X = 0
// otherwise): tier limits and the fast path's constants. Built once per X and reused.
struct XScale {
  VI X;                   // the group exponent (per lane when per_lane)
  VF mul_in, mul_out;     // pow2_fp32: 2^-X and 2^X
  bool per_lane = false;  // lanes have different X (pow2 column groups): decide per vector
  VU thresh;              // codec: non-zero |x| bits below this need the general tier
  bool fast_x = true, general_ok = true;
  FastScale<DF> fs;  // value fast path (!per_lane)
  bool fast_ok = false;
};

// The scale of one vector's lanes.
struct LaneScale {
  const XScale* xs;
  VF mul_in;   // pow2_fp32 / linear: x * mul_in is encoded
  VF mul_out;  // pow2_fp32 / linear: the decoded value is multiplied by this
  MU nan;      // lanes of NaN-scaled groups
  bool any_nan = false;
};

// Per-task state: codec, fast-path and random-stream constants, the plan's switches.
struct Ctx {
  const Plan& p;
  VCodec<DF> vc;
  VFast<DF> vf;
  PhiloxVec<DU> rng;
  bool values_only, want_flags, want_error, mul, pow2, fp32_path, tensor_g, int_zero;
  float g;
  explicit Ctx(const Plan& plan)
      : p(plan),
        vc(plan.codec),
        vf(plan.codec),
        rng(DU(), plan.codec.seed, plan.codec.stream),
        values_only(plan.codes == nullptr && !plan.want_flags && !plan.want_error),
        want_flags(plan.want_flags),
        want_error(plan.want_error),
        mul(plan.kind == ScaleKind::pow2_fp32 || plan.kind == ScaleKind::linear),
        pow2(plan.kind == ScaleKind::pow2),
        fp32_path(plan.kind == ScaleKind::pow2_fp32),
        tensor_g(plan.kind == ScaleKind::linear && plan.f->tensor_scale),
        int_zero(plan.codec.is_int && plan.kind != ScaleKind::none),
        g(plan.ts.g) {}
};

// Tier limits for a group whose elements encode with exponent offset Xenc: the codec's fast
// tier needs normal-size quanta and no zero-lane base above 0; the value fast path needs
// EX >= 1, a representable quantum and a finite saturation value.
inline void TierLimits(const ElemCodec& c, int Xenc, XScale& ls) {
  const DF df;
  ls.per_lane = false;
  uint32_t thresh = 0x800000u;  // fp32 subnormals always take the general tier
  if (c.is_int) {
    const int pe = Xenc - c.frac_bits + 127;  // fp32 field of the quantum
    ls.fast_x = pe >= 1;
    ls.general_ok = pe >= -22;
    ls.fast_ok = false;
    return void(ls.thresh = hn::Set(DU(), thresh));
  }
  const int ex = c.emin + Xenc;
  ls.fast_x = ex >= 1;
  if (ex < 1 + c.mbits) thresh = static_cast<uint32_t>(1 + c.mbits) << 23;
  ls.general_ok = ex - c.mbits >= -22;
  ls.thresh = hn::Set(DU(), thresh);
  const float maxv = c.max_finite * exp2i(Xenc);
  // (RNE adds the lane's quantum times 2^23: it must stay finite.)
  ls.fast_ok = c.round != RoundKind::mx_fp32 && ex >= 1 && ls.general_ok && std::isfinite(maxv) &&
               ex + 23 - c.mbits <= 254;
  if (!ls.fast_ok) return;
  ls.fs.EX = hn::Set(DU(), static_cast<uint32_t>(ex));
  ls.fs.q = hn::Set(df, exp2i(ex - c.mbits - 127));
  ls.fs.maxv = hn::Set(df, maxv);
  ls.fs.minv = hn::Set(df, exp2i(ex - 127));
}

// The value fast path's scale from per-lane exponents X; false if a lane's group cannot take it.
HWY_INLINE bool FastFromLanes(const Ctx& cx, VI X, FastScale<DF>* fs) {
  const DF df;
  const DI di;
  const ElemCodec& c = cx.p.codec;
  if (c.is_int || c.round == RoundKind::mx_fp32) return false;
  // pow2_fp32 (microxcaling) applies 2^-X by an fp32 multiply before the element cast: the
  // element grid itself is unscaled.
  if (!cx.pow2) X = hn::Zero(di);
  const VI ex = hn::Add(X, cx.vc.emin);
  if (!hn::AllTrue(di, hn::Gt(ex, hn::Set(di, c.mbits - 23)))) return false;
  if (!hn::AllTrue(di, hn::Gt(ex, hn::Zero(di)))) return false;
  if (!hn::AllTrue(di, hn::Lt(ex, hn::Set(di, 255 - 23 + c.mbits)))) return false;
  fs->maxv = hn::Mul(cx.vc.max_finite, Pow2Wide(df, X));
  if (!hn::AllTrue(df, hn::Lt(fs->maxv, hn::Set(df, INFINITY)))) return false;
  fs->EX = hn::BitCast(DU(), ex);
  fs->q = Pow2Wide(df, hn::Sub(ex, hn::Set(di, c.mbits + 127)));
  fs->minv = Pow2Wide(df, hn::Sub(ex, hn::Set(di, 127)));
  return true;
}

// The XScale of exponent X for this plan.
inline void MakeXScale(const Plan& p, int X, XScale* xs) {
  xs->X = hn::Set(DI(), X);
  xs->mul_in = hn::Set(DF(), exp2i(-X));
  xs->mul_out = hn::Set(DF(), exp2i(X));
  TierLimits(p.codec, p.kind == ScaleKind::pow2 ? X : 0, *xs);
}

// XScales of one task, built on first use of each X (X in [-127, 127]). Storage is
// allocated once per thread with the vectors' alignment.
class XTable {
 public:
  XTable()
      : table_(static_cast<XScale*>(std::aligned_alloc(alignof(XScale), kSize * sizeof(XScale)))) {
    if (!table_) throw std::bad_alloc();
  }
  ~XTable() { std::free(table_); }
  XTable(const XTable&) = delete;
  XTable& operator=(const XTable&) = delete;

  void reset(const Plan* p) {
    plan_ = p;
    built_.fill(0);
  }
  const XScale& get(int X) {
    const int i = X + 127;
    if (!((built_[i >> 6] >> (i & 63)) & 1)) {
      new (&table_[i]) XScale();
      MakeXScale(*plan_, X, &table_[i]);
      built_[i >> 6] |= uint64_t{1} << (i & 63);
    }
    return table_[i];
  }

 private:
  static constexpr size_t kSize = 255;
  const Plan* plan_ = nullptr;
  std::array<uint64_t, 4> built_{};
  XScale* table_;
};

// The LaneScale of one group (its XScale from the table for pow2 kinds, else `base`).
inline LaneScale GroupLanes(const Plan& p, XTable& table, const XScale& base,
                            const GroupScale& gs) {
  LaneScale ls;
  const bool pow2 = p.kind == ScaleKind::pow2 || p.kind == ScaleKind::pow2_fp32;
  ls.xs = pow2 ? &table.get(gs.X) : &base;
  ls.mul_in = pow2 ? ls.xs->mul_in : hn::Set(DF(), gs.enc);
  ls.mul_out = pow2 ? ls.xs->mul_out : hn::Set(DF(), gs.s);
  ls.any_nan = gs.nan;
  ls.nan = hn::RebindMask(DU(), hn::Eq(hn::Set(DI(), gs.nan ? 1 : 0), hn::Set(DI(), 1)));
  return ls;
}

HWY_INLINE Tier ChooseTier(const Ctx& cx, VU a, const XScale& ls) {
  const DU du;
  const DI di;
  const auto nonfinite = hn::Gt(a, hn::Set(du, 0x7F7FFFFFu));
  if (!ls.per_lane) {
    const auto low = hn::Lt(hn::Sub(a, hn::Set(du, 1)), hn::Sub(ls.thresh, hn::Set(du, 1)));
    if (ls.fast_x && hn::AllFalse(du, hn::Or(nonfinite, low))) return Tier::fast;
    return ls.general_ok ? Tier::general : Tier::oracle;
  }
  const ElemCodec& c = cx.p.codec;
  bool fast_x, general_ok;
  VU thresh = hn::Set(du, 0x800000u);
  const VI Xenc = cx.pow2 ? ls.X : hn::Zero(di);  // the exponent offset the codec applies
  if (c.is_int) {
    const VI pe = hn::Add(Xenc, hn::Set(di, 127 - c.frac_bits));
    fast_x = hn::AllTrue(di, hn::Gt(pe, hn::Zero(di)));
    general_ok = hn::AllTrue(di, hn::Gt(pe, hn::Set(di, -23)));
  } else {
    const VI ex = hn::Add(Xenc, cx.vc.emin);
    fast_x = hn::AllTrue(di, hn::Gt(ex, hn::Zero(di)));
    const auto wide = hn::RebindMask(du, hn::Lt(ex, hn::Set(di, 1 + c.mbits)));
    thresh = hn::IfThenElse(wide, hn::Set(du, static_cast<uint32_t>(1 + c.mbits) << 23), thresh);
    general_ok = hn::AllTrue(di, hn::Gt(ex, hn::Set(di, c.mbits - 23)));
  }
  const auto low = hn::Lt(hn::Sub(a, hn::Set(du, 1)), hn::Sub(thresh, hn::Set(du, 1)));
  if (fast_x && hn::AllFalse(du, hn::Or(nonfinite, low))) return Tier::fast;
  return general_ok ? Tier::general : Tier::oracle;
}

// Lanes through the scalar oracle (groups whose quanta fall below fp32's range).
inline Encoded<DF> OracleLanes(const Ctx& cx, VF x, const LaneScale& ls, uint64_t idx) {
  const DF df;
  const DU du;
  const DI di;
  constexpr size_t kMax = hn::MaxLanes(DF());
  HWY_ALIGN float xl[kMax], in[kMax], out[kMax], val[kMax];
  HWY_ALIGN int32_t Xl[kMax];
  HWY_ALIGN uint32_t code[kMax], fl[kMax];
  hn::Store(x, df, xl);
  hn::Store(ls.mul_in, df, in);
  hn::Store(ls.mul_out, df, out);
  hn::Store(ls.xs->X, di, Xl);
  for (size_t i = 0; i < hn::Lanes(df); ++i) {
    GroupScale gs;
    gs.X = Xl[i];
    gs.enc = in[i];
    gs.s = out[i];
    const ElementResult r =
        oracle_element(*cx.p.f, cx.p.co, cx.p.kind, gs, cx.p.ts, xl[i], idx + i);
    code[i] = r.code;
    val[i] = r.value;
    fl[i] = r.flags;
  }
  return {hn::Load(du, code), hn::Load(df, val), hn::Load(du, fl)};
}

// Adds (x - v)^2 and x^2 in double over the first n lanes where x and v are finite.
HWY_INLINE void AccumulateError(VF x, VF v, size_t n, Counts& cnt) {
  const DF df;
  const DU du;
#if HWY_TARGET != HWY_SCALAR
  const hn::Half<DF> dh;
  const hn::RepartitionToWide<DF> dd;
#endif
  const auto finite = [&](VF a) {
    return hn::RebindMask(df, hn::Lt(hn::And(hn::BitCast(du, a), hn::Set(du, 0x7FFFFFFFu)),
                                     hn::Set(du, 0x7F800000u)));
  };
  const auto ok = hn::And(hn::RebindMask(df, hn::FirstN(du, n)), hn::And(finite(x), finite(v)));
  cnt.nonfinite += static_cast<int64_t>(n - hn::CountTrue(df, ok));
  const VF xs = hn::IfThenElseZero(ok, x), vs = hn::IfThenElseZero(ok, v);
#if HWY_TARGET == HWY_SCALAR
  const double e = static_cast<double>(hn::GetLane(xs)) - hn::GetLane(vs);
  cnt.sse += e * e;
  cnt.ss += static_cast<double>(hn::GetLane(xs)) * hn::GetLane(xs);
#else
  const auto lo_x = hn::PromoteTo(dd, hn::LowerHalf(dh, xs));
  const auto hi_x = hn::PromoteTo(dd, hn::UpperHalf(dh, xs));
  const auto lo_e = hn::Sub(lo_x, hn::PromoteTo(dd, hn::LowerHalf(dh, vs)));
  const auto hi_e = hn::Sub(hi_x, hn::PromoteTo(dd, hn::UpperHalf(dh, vs)));
  cnt.sse += hn::GetLane(hn::SumOfLanes(dd, hn::Add(hn::Mul(hi_e, hi_e), hn::Mul(lo_e, lo_e))));
  cnt.ss += hn::GetLane(hn::SumOfLanes(dd, hn::Add(hn::Mul(hi_x, hi_x), hn::Mul(lo_x, lo_x))));
#endif
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_LANES_INL_H_
