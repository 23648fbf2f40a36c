// Quantization tasks (per SIMD target): vectors of elements through the codec, with their
// group's scale; flat ranges for unscaled formats, group rows x column ranges otherwise.
#if defined(LOWP_KERNELS_QUANTIZE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_QUANTIZE_INL_H_
#undef LOWP_KERNELS_QUANTIZE_INL_H_
#else
#define LOWP_KERNELS_QUANTIZE_INL_H_
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
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

// The scale parameters of one vector's lanes.
struct LaneScale {
  VI X;        // pow2 kinds: the group exponent; else 0
  VF mul_in;   // pow2_fp32 / linear: x * mul_in is encoded
  VF mul_out;  // pow2_fp32 / linear: the decoded value is multiplied by this
  MU nan;      // lanes of NaN-scaled groups
  bool any_nan = false;
  bool per_lane = false;  // lanes have different X (pow2 column groups): decide per vector
  VU thresh;              // codec: non-zero |x| bits below this need the general tier
  bool fast_x = true, general_ok = true;
  FastScale<DF> fs;       // value fast path (!per_lane)
  bool fast_ok = false;
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
inline void TierLimits(const ElemCodec& c, int Xenc, LaneScale& ls) {
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
  ls.fast_ok = c.round != RoundKind::rna_fp32 && ex >= 1 && ls.general_ok && std::isfinite(maxv) &&
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
  if (c.is_int || c.round == RoundKind::rna_fp32) return false;
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

inline LaneScale BroadcastScale(const Plan& p, const GroupScale& gs) {
  const DF df;
  LaneScale ls;
  ls.X = hn::Set(DI(), gs.X);
  if (p.kind == ScaleKind::pow2_fp32) {
    ls.mul_in = hn::Set(df, exp2i(-gs.X));
    ls.mul_out = hn::Set(df, exp2i(gs.X));
  } else {
    ls.mul_in = hn::Set(df, gs.enc);
    ls.mul_out = hn::Set(df, gs.s);
  }
  ls.any_nan = gs.nan;
  ls.nan = hn::RebindMask(DU(), hn::Eq(hn::Set(DI(), gs.nan ? 1 : 0), hn::Set(DI(), 1)));
  TierLimits(p.codec, p.kind == ScaleKind::pow2 ? gs.X : 0, ls);
  return ls;
}

HWY_INLINE Tier ChooseTier(const Ctx& cx, VU a, const LaneScale& ls) {
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
  if (c.is_int) {
    const VI pe = hn::Add(ls.X, hn::Set(di, 127 - c.frac_bits));
    fast_x = hn::AllTrue(di, hn::Gt(pe, hn::Zero(di)));
    general_ok = hn::AllTrue(di, hn::Gt(pe, hn::Set(di, -23)));
  } else {
    const VI ex = hn::Add(ls.X, cx.vc.emin);
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
  hn::Store(ls.X, di, Xl);
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

// Quantizes n (<= Lanes) elements starting at xp: values to yp, codes to cp (each optional),
// flag counts and error sums into cnt.
template <RoundKind kMode, bool kInt>
HWY_INLINE void ProcessVec(const Ctx& cx, const float* xp, float* yp, uint32_t* cp,
                           uint64_t idx, size_t n, const LaneScale& ls, Counts& cnt) {
  const DF df;
  const DU du;
  const DI di;
  const size_t N = hn::Lanes(df);
  HWY_ALIGN float buf[hn::MaxLanes(DF())];
  VF x;
  if (HWY_LIKELY(n == N)) {
    x = hn::LoadU(df, xp);
  } else {
    std::memset(buf, 0, sizeof buf);
    std::memcpy(buf, xp, n * sizeof(float));
    x = hn::Load(df, buf);
  }
  const VF xs = cx.mul ? hn::Mul(x, ls.mul_in) : x;
  VU rnd = hn::Zero(du);
  if constexpr (kMode == RoundKind::sr || kMode == RoundKind::sr_equal)
    rnd = RandomBits(du, cx.rng, idx);
  Encoded<DF> r;
  bool done = false, post = true;
  if constexpr (!kInt && kMode != RoundKind::rna_fp32) {
    if (cx.values_only) {
      if (!ls.per_lane) {
        done = ls.fast_ok && FakeQuantVec<kMode>(df, cx.vc, cx.vf, ls.fs, xs, rnd, &r.value);
      } else {
        FastScale<DF> fs;
        done = FastFromLanes(cx, ls.X, &fs) && FakeQuantVec<kMode>(df, cx.vc, cx.vf, fs, xs, rnd, &r.value);
      }
    }
  }
  const VU a = hn::And(hn::BitCast(du, xs), hn::Set(du, 0x7FFFFFFFu));
  if (!done) {
    const VI Xenc = cx.pow2 ? ls.X : hn::Zero(di);
    const Tier tier = ChooseTier(cx, a, ls);
    if (tier == Tier::oracle) {
      r = OracleLanes(cx, x, ls, idx);
      post = false;
    } else if (tier == Tier::fast) {
      r = kInt ? EncodeInt<kMode, false>(df, cx.vc, xs, Xenc, rnd, cx.want_flags)
               : EncodeMini<kMode, false>(df, cx.vc, xs, Xenc, rnd, cx.want_flags);
    } else {
      r = kInt ? EncodeInt<kMode, true>(df, cx.vc, xs, Xenc, rnd, cx.want_flags)
               : EncodeMini<kMode, true>(df, cx.vc, xs, Xenc, rnd, cx.want_flags);
    }
  }
  if (post) {
    if (cx.mul) {
      r.value = hn::Mul(r.value, ls.mul_out);
      if (cx.tensor_g) r.value = hn::Mul(r.value, hn::Set(df, cx.g));
    }
    if (kInt && cx.int_zero) {
      // A zero integer code keeps x's sign (microxcaling: unless x * 2^-X underflowed to 0).
      auto keep = hn::Eq(r.code, hn::Zero(du));
      if (cx.fp32_path) keep = hn::And(keep, hn::Ne(a, hn::Zero(du)));
      const VU sign = hn::And(hn::BitCast(du, x), hn::Set(du, 0x80000000u));
      r.value = hn::IfThenElse(hn::RebindMask(df, keep), hn::BitCast(df, sign), r.value);
    }
  }
  if (ls.any_nan) {
    r.value = hn::IfThenElse(hn::RebindMask(df, ls.nan), hn::Set(df, u2f(0x7FC00000u)), r.value);
    if (!done) {
      r.code = hn::IfThenZeroElse(ls.nan, r.code);
      r.flags = hn::IfThenZeroElse(ls.nan, r.flags);
    }
  }
  if (yp) {
    if (HWY_LIKELY(n == N)) {
      hn::StoreU(r.value, df, yp);
    } else {
      hn::Store(r.value, df, buf);
      std::memcpy(yp, buf, n * sizeof(float));
    }
  }
  if (done) return;  // values only: no codes, flags or sums requested
  if (cp) {
    HWY_ALIGN uint32_t cb[hn::MaxLanes(DU())];
    hn::Store(r.code, du, cb);
    std::memcpy(cp, cb, n * sizeof(uint32_t));
  }
  if (cx.want_error) AccumulateError(x, r.value, n, cnt);
  if (cx.want_flags) {
    const auto valid = hn::FirstN(du, n);
    const auto has = [&](uint32_t bit) {
      return static_cast<int64_t>(hn::CountTrue(
          du, hn::And(valid, hn::Ne(hn::And(r.flags, hn::Set(du, bit)), hn::Zero(du)))));
    };
    cnt.saturated += has(kSaturated);
    cnt.flushed += has(kFlushed);
    cnt.nan_mapped += has(kNanMapped);
    cnt.overflowed += has(kOverflowed);
  }
}

// A flat range of elements with one scale (unscaled formats, tensor granularity).
template <RoundKind kMode, bool kInt>
void FlatTask(const Plan& p, int64_t task, Counts& out) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(DF()));
  const Ctx cx(p);
  const LaneScale ls = BroadcastScale(p, p.flat_scale);
  const int64_t begin = task * p.chunk, end = std::min(p.rows * p.cols, begin + p.chunk);
  const float* x = p.x;
  float* y = p.values;
  uint32_t* codes = p.codes;
  Counts cnt;
  int64_t i = begin;
  for (; i + N <= end; i += N)
    ProcessVec<kMode, kInt>(cx, x + i, y ? y + i : nullptr, codes ? codes + i : nullptr,
                            p.index_base + i, static_cast<size_t>(N), ls, cnt);
  if (i < end)
    ProcessVec<kMode, kInt>(cx, x + i, y ? y + i : nullptr, codes ? codes + i : nullptr,
                            p.index_base + i, static_cast<size_t>(end - i), ls, cnt);
  cnt.n = end - begin;
  out = cnt;
}

// Max of |x| over n floats as fp32 bits (u32 order: NaN bits above inf, so NaN wins).
HWY_INLINE uint32_t MaxAbsBitsImpl(const float* x, int64_t n) {
  const DU du;
  const size_t N = hn::Lanes(du);
  const VU abs = hn::Set(du, 0x7FFFFFFFu);
  VU m0 = hn::Zero(du), m1 = hn::Zero(du);
  int64_t i = 0;
  for (; i + 2 * static_cast<int64_t>(N) <= n; i += 2 * N) {
    m0 = hn::Max(m0, hn::And(hn::BitCast(du, hn::LoadU(DF(), x + i)), abs));
    m1 = hn::Max(m1, hn::And(hn::BitCast(du, hn::LoadU(DF(), x + i + N)), abs));
  }
  uint32_t m = hn::GetLane(hn::MaxOfLanes(du, hn::Max(m0, m1)));
  for (; i < n; ++i) m = std::max(m, f2u(x[i]) & 0x7FFFFFFFu);
  return m;
}

// One group row x a range of group columns: amax per group, scales, then the elements.
template <RoundKind kMode, bool kInt>
void GroupTask(const Plan& p, int64_t task, Counts& out) {
  const DF df;
  const DU du;
  const DI di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const ScaleGrid& g = p.grid;
  const int64_t gr = task / p.col_tasks;
  const int64_t gc0 = (task % p.col_tasks) * p.groups_per_task;
  const int64_t gc1 = std::min(g.grid_cols, gc0 + p.groups_per_task), ng = gc1 - gc0;
  const int64_t r0 = gr * g.group_rows, r1 = std::min(p.rows, r0 + g.group_rows);
  const int64_t c0 = gc0 * g.group_cols, c1 = std::min(p.cols, gc1 * g.group_cols);
  const bool broadcast = g.group_cols >= N;
  const Ctx cx(p);
  Counts cnt;
  cnt.n = (r1 - r0) * (c1 - c0);

  // 1. amax of each group (as |x| bits).
  thread_local std::vector<uint32_t> amax, colmax;
  amax.assign(static_cast<size_t>(ng), 0u);
  if (broadcast) {
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t k = 0; k < ng; ++k) {
        const int64_t cs = (gc0 + k) * g.group_cols, ce = std::min(p.cols, cs + g.group_cols);
        amax[k] = std::max(amax[k], MaxAbsBitsImpl(p.x + r * p.cols + cs, ce - cs));
      }
  } else {
    colmax.assign(static_cast<size_t>(c1 - c0 + N), 0u);
    const VU abs = hn::Set(du, 0x7FFFFFFFu);
    for (int64_t r = r0; r < r1; ++r) {
      const float* row = p.x + r * p.cols;
      int64_t c = c0;
      for (; c + N <= c1; c += N) {
        uint32_t* cm = colmax.data() + (c - c0);
        hn::StoreU(
            hn::Max(hn::LoadU(du, cm), hn::And(hn::BitCast(du, hn::LoadU(df, row + c)), abs)), du,
            cm);
      }
      for (; c < c1; ++c) colmax[c - c0] = std::max(colmax[c - c0], f2u(row[c]) & 0x7FFFFFFFu);
    }
    for (int64_t k = 0; k < ng; ++k) {
      const int64_t cs = (gc0 + k) * g.group_cols, ce = std::min(p.cols, cs + g.group_cols);
      for (int64_t c = cs; c < ce; ++c) amax[k] = std::max(amax[k], colmax[c - c0]);
    }
  }

  // 2. Scales.
  thread_local std::vector<GroupScale> gsv;
  gsv.resize(static_cast<size_t>(ng));
  for (int64_t k = 0; k < ng; ++k) {
    gsv[k] = group_scale(*p.f, p.kind, u2f(amax[k]), p.ts);
    if (p.scales) p.scales[gr * g.grid_cols + gc0 + k] = gsv[k].code;
  }

  // 3. Elements.
  const auto row_ptrs = [&](int64_t r, int64_t c, float** y, uint32_t** code) {
    *y = p.values ? p.values + r * p.cols + c : nullptr;
    *code = p.codes ? p.codes + r * p.cols + c : nullptr;
  };
  if (broadcast) {
    for (int64_t k = 0; k < ng; ++k) {
      const LaneScale ls = BroadcastScale(p, gsv[k]);
      const int64_t cs = (gc0 + k) * g.group_cols, ce = std::min(p.cols, cs + g.group_cols);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = cs; c < ce; c += N) {
          float* y;
          uint32_t* code;
          row_ptrs(r, c, &y, &code);
          ProcessVec<kMode, kInt>(cx, p.x + r * p.cols + c, y, code,
                                  p.index_base + static_cast<uint64_t>(r * p.cols + c),
                                  static_cast<size_t>(std::min(N, ce - c)), ls, cnt);
        }
    }
    out = cnt;
    return;
  }
  // Narrow groups: per-column copies of the scale parameters, padded to whole vectors.
  thread_local std::vector<int32_t> Xc;
  thread_local std::vector<float> inc, outc;
  thread_local std::vector<uint32_t> nanc;
  const size_t width = static_cast<size_t>(c1 - c0 + N);
  Xc.assign(width, 0);
  inc.assign(width, 1.0f);
  outc.assign(width, 1.0f);
  nanc.assign(width, 0u);
  bool any_nan = false;
  for (int64_t c = c0; c < c1; ++c) {
    const GroupScale& gs = gsv[(c - c0) / g.group_cols];
    const size_t j = static_cast<size_t>(c - c0);
    Xc[j] = gs.X;
    inc[j] = p.kind == ScaleKind::pow2_fp32 ? exp2i(-gs.X) : gs.enc;
    outc[j] = p.kind == ScaleKind::pow2_fp32 ? exp2i(gs.X) : gs.s;
    nanc[j] = gs.nan ? ~0u : 0u;
    any_nan = any_nan || gs.nan;
  }
  LaneScale ls = BroadcastScale(p, GroupScale{});
  ls.per_lane = p.kind == ScaleKind::pow2;
  ls.any_nan = any_nan;
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; c += N) {
      const size_t j = static_cast<size_t>(c - c0);
      ls.X = hn::LoadU(di, Xc.data() + j);
      ls.mul_in = hn::LoadU(df, inc.data() + j);
      ls.mul_out = hn::LoadU(df, outc.data() + j);
      ls.nan = hn::Ne(hn::LoadU(du, nanc.data() + j), hn::Zero(du));
      float* y;
      uint32_t* code;
      row_ptrs(r, c, &y, &code);
      ProcessVec<kMode, kInt>(cx, p.x + r * p.cols + c, y, code,
                              p.index_base + static_cast<uint64_t>(r * p.cols + c),
                              static_cast<size_t>(std::min(N, c1 - c)), ls, cnt);
    }
  out = cnt;
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_QUANTIZE_INL_H_
