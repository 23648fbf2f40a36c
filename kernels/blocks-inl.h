// Blocks along rows (per SIMD target), values only: Lanes() consecutive blocks at a time,
// their amax reduced together and (linear scales) their scales computed together, then each
// block's elements through the fast path. The second read of a block hits L1.
#if defined(LOWP_KERNELS_BLOCKS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_BLOCKS_INL_H_
#undef LOWP_KERNELS_BLOCKS_INL_H_
#else
#define LOWP_KERNELS_BLOCKS_INL_H_
#endif

#include <algorithm>
#include <cfloat>

#include "hwy/highway.h"
#include "kernels/process-inl.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// parts[g] holds lane-wise maxima of group g (g < Lanes); returns lane g = max of parts[g].
HWY_INLINE VU ReduceGroups(VU* parts) {
#if HWY_TARGET == HWY_SCALAR
  return parts[0];
#else
  const DU du;
  // Each merge keeps lane pairs of one group together, a's groups below b's: after log2(N)
  // levels every group is down to one lane, in order.
  for (size_t width = hn::Lanes(du); width > 1; width /= 2)
    for (size_t i = 0; i < width / 2; ++i)
      parts[i] = hn::Max(hn::ConcatEven(du, parts[2 * i + 1], parts[2 * i]),
                         hn::ConcatOdd(du, parts[2 * i + 1], parts[2 * i]));
  return parts[0];
#endif
}

// The linear-kind scales of Lanes() groups from their amax bits: scale_params' group_scale,
// lane by lane (divisions and the ue4m3 cast vectorised; same operations, same rounding).
struct LinearLanes {
  VU code;
  VF enc, s;
  MU nan;
};
HWY_INLINE LinearLanes LinearScales(const ScaleParams& sp, const TensorScale& t, VU amax_bits) {
  const DF df;
  const DU du;
  const DI di;
  LinearLanes r;
  const VF A = hn::BitCast(df, amax_bits);
  r.nan = hn::Gt(amax_bits, hn::Set(du, 0x7F7FFFFFu));
  if (!sp.ue4m3) {
    r.s = hn::Div(A, hn::Set(df, sp.maxfin));
    r.code = hn::BitCast(du, r.s);
    r.enc = hn::IfThenZeroElse(hn::Eq(r.s, hn::Zero(df)), hn::Div(hn::Set(df, 1.0f), r.s));
    return r;
  }
  VF v;
  if (sp.te) {
    v = hn::Min(hn::Set(df, 448.0f), hn::Mul(A, hn::Set(df, t.ge * sp.inv_maxfin)));
  } else {
    v = hn::Div(A, hn::Set(df, sp.maxfin));
    if (sp.two_level) v = hn::Div(v, hn::Set(df, t.g));
    v = hn::Min(hn::Max(v, hn::Set(df, 0.015625f)), hn::Set(df, 448.0f));
  }
  // ue4m3, RNE: round the fp32 bits at bit 20 (v >= 2^-6), else nearest multiple of 2^-9.
  const VU b = hn::BitCast(du, v);
  const VU normal =
      hn::Sub(hn::ShiftRight<20>(hn::Add(hn::Add(b, hn::Set(du, 0x7FFFFu)),
                                         hn::And(hn::ShiftRight<20>(b), hn::Set(du, 1)))),
              hn::Set(du, 120u << 3));
  const VF m = hn::Sub(hn::Add(hn::Mul(v, hn::Set(df, 512.0f)), hn::Set(df, 8388608.0f)),
                       hn::Set(df, 8388608.0f));
  const VU sub = hn::BitCast(du, hn::ConvertTo(di, m));
  r.code = hn::IfThenElse(hn::Lt(b, hn::Set(du, 0x3C800000u)), sub, normal);
  const VF small = hn::Mul(hn::ConvertTo(df, hn::BitCast(di, r.code)), hn::Set(df, 1.0f / 512.0f));
  const VU big = hn::Or(hn::ShiftLeft<23>(hn::Add(hn::ShiftRight<3>(r.code), hn::Set(du, 120))),
                        hn::ShiftLeft<20>(hn::And(r.code, hn::Set(du, 7))));
  r.s = hn::IfThenElse(hn::RebindMask(df, hn::Lt(r.code, hn::Set(du, 8))), small,
                       hn::BitCast(df, big));
  if (sp.te) {
    r.enc = hn::Min(hn::Set(df, FLT_MAX),
                    hn::Div(hn::Set(df, 1.0f), hn::Mul(r.s, hn::Set(df, t.inv_ge))));
  } else {
    r.enc = hn::Div(hn::Set(df, sp.two_level ? t.inv_g : 1.0f), r.s);
  }
  return r;
}

// One group of a row (cols [cs, ce), starting at element offset `off` of the tensor) with a
// known scale: fast path for whole vectors, ProcessVec for the rest.
template <RoundKind kMode, bool kInt>
HWY_INLINE void RowGroup(const Ctx& cx, const FastConsts& k, const LaneScale& ls, int64_t off,
                         int64_t len, Counts& cnt) {
  const Plan& p = cx.p;
  const int64_t N = static_cast<int64_t>(hn::Lanes(DF()));
  int64_t c = 0;
  if constexpr (!kInt && kMode != RoundKind::rna_fp32) {
    if (FastRunOk<kMode, kInt>(cx, ls)) {
      const int64_t nvec = len / N;
      FastRun<kMode>(cx, k, ls, p.x + off, p.values + off, p.index_base + off, nvec, cnt);
      c = nvec * N;
    }
  }
  for (; c < len; c += N)
    ProcessVec<kMode, kInt>(cx, p.x + off + c, p.values + off + c, nullptr,
                            p.index_base + static_cast<uint64_t>(off + c),
                            static_cast<size_t>(std::min(N, len - c)), ls, cnt);
}

// Groups [gc0, gc1) of grid row `gr` (one tensor row), values only.
template <RoundKind kMode, bool kInt>
void RowBlocks(const Ctx& cx, XTable& table, const XScale& base, int64_t gr, int64_t gc0,
               int64_t gc1, Counts& cnt) {
  const DF df;
  const DU du;
  const Plan& p = cx.p;
  const ScaleGrid& g = p.grid;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const int64_t B = g.group_cols, row = gr * p.cols;
  const FastConsts k(cx);
  const bool pow2 = p.kind == ScaleKind::pow2 || p.kind == ScaleKind::pow2_fp32;
  const VU abs = hn::Set(du, 0x7FFFFFFFu);
  int64_t gc = gc0;
  // Superblocks: N whole groups of whole vectors.
  if (B % N == 0) {
    HWY_ALIGN uint32_t amax[hn::MaxLanes(DU())], codes[hn::MaxLanes(DU())];
    HWY_ALIGN float enc[hn::MaxLanes(DF())], s[hn::MaxLanes(DF())];
    for (; gc + N <= gc1 && (gc + N) * B <= p.cols; gc += N) {
      const float* x = p.x + row + gc * B;
      VU parts[hn::MaxLanes(DU())];
      for (int64_t i = 0; i < N; ++i) {
        VU m = hn::Zero(du);
        for (int64_t j = 0; j < B; j += N)
          m = hn::Max(m, hn::And(hn::BitCast(du, hn::LoadU(df, x + i * B + j)), abs));
        parts[i] = m;
      }
      const VU A = ReduceGroups(parts);
      uint32_t nan_bits = 0;
      if (!pow2) {
        const LinearLanes ll = LinearScales(p.sp, p.ts, A);
        hn::Store(ll.code, du, codes);
        hn::Store(ll.enc, df, enc);
        hn::Store(ll.s, df, s);
        nan_bits = hn::AllFalse(du, ll.nan) ? 0u : 1u;
      }
      hn::Store(A, du, amax);
      for (int64_t i = 0; i < N; ++i) {
        GroupScale gs;
        if (pow2 || nan_bits) {
          gs = group_scale(p.sp, u2f(amax[i]), p.ts);
        } else {
          gs.code = codes[i];
          gs.enc = enc[i];
          gs.s = s[i];
        }
        if (p.scales) p.scales[gr * g.grid_cols + gc + i] = gs.code;
        RowGroup<kMode, kInt>(cx, k, GroupLanes(p, table, base, gs), row + (gc + i) * B, B, cnt);
      }
    }
  }
  for (; gc < gc1; ++gc) {  // the rest, one group at a time
    const int64_t cs = gc * B, ce = std::min(p.cols, cs + B);
    const GroupScale gs = group_scale(p.sp, u2f(MaxAbsBitsImpl(p.x + row + cs, ce - cs)), p.ts);
    if (p.scales) p.scales[gr * g.grid_cols + gc] = gs.code;
    RowGroup<kMode, kInt>(cx, k, GroupLanes(p, table, base, gs), row + cs, ce - cs, cnt);
  }
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_BLOCKS_INL_H_
