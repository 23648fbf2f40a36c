// Blocks along rows (per SIMD target), values only: Lanes() consecutive blocks at a time,
// their amax reduced together and their scales computed together (lane g for block g), then
// each block's elements through the fast path with its constants broadcast from its lane.
// The second read of a block hits L1.
#if defined(LOWP_KERNELS_BLOCKS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_BLOCKS_INL_H_
#undef LOWP_KERNELS_BLOCKS_INL_H_
#else
#define LOWP_KERNELS_BLOCKS_INL_H_
#endif

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <type_traits>

#include "hwy/cache_control.h"
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
  if constexpr (!kInt && kMode != RoundKind::mx_fp32) {
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

// Power-of-two group exponents X of Lanes() groups from their amax bits, for the rules that
// need no log2 or division (floor, ceil, even): group_scale lane by lane. Sets *nan for
// NaN-scaled lanes (X = 0 there) and *code to the stored scale codes.
HWY_INLINE VI Pow2Exponents(const ScaleParams& sp, VU A, MU* nan, VU* code) {
  const DF df;
  const DU du;
  const DI di;
  const auto field_of = [&](VU e) {  // 0 and fp32 subnormals count as 2^-127
    return hn::IfThenElse(hn::RebindMask(di, hn::Eq(e, hn::Zero(du))), hn::Set(di, -127),
                          hn::Sub(hn::BitCast(di, e), hn::Set(di, 127)));
  };
  VI X;
  if (sp.rule == ScaleRule::even) {
    const VU e2 = hn::ShiftRight<23>(hn::Add(A, hn::Set(du, 1u << (22 - sp.top_mbits))));
    X = field_of(e2);
  } else {
    X = field_of(hn::ShiftRight<23>(A));
    if (sp.rule == ScaleRule::ceil) {
      const auto frac = hn::Ne(hn::And(A, hn::Set(du, 0x7FFFFFu)), hn::Zero(du));
      X = hn::Add(X, hn::IfThenElseZero(hn::RebindMask(di, frac), hn::Set(di, 1)));
    }
  }
  X = hn::Max(hn::Sub(X, hn::Set(di, sp.emax)), hn::Set(di, -127));
  *nan =
      hn::Or(hn::Gt(A, hn::Set(du, 0x7F7FFFFFu)), hn::RebindMask(du, hn::Gt(X, hn::Set(di, 127))));
  X = hn::IfThenZeroElse(hn::RebindMask(di, *nan), X);
  const VU c =
      sp.e8m0 ? hn::BitCast(du, hn::Add(X, hn::Set(di, 127))) : hn::BitCast(du, Pow2Wide(df, X));
  *code = hn::IfThenElse(*nan, hn::Set(du, sp.e8m0 ? 0xFFu : 0x7FC00000u), c);
  return X;
}

// The scales of a superblock's Lanes() groups, lane g for group g: stored codes, what
// GroupLanes needs, and the value fast path's per-group constants with a mask of the groups
// that can take it.
struct SuperScales {
  static constexpr size_t kMax = hn::MaxLanes(DF());
  HWY_ALIGN uint32_t code[kMax], EX[kMax];
  HWY_ALIGN int32_t X[kMax];
  HWY_ALIGN float enc[kMax], s[kMax], q[kMax], maxv[kMax], minv[kMax];
  uint64_t nan = 0, fast = 0;  // bit g: group g has a NaN scale / takes the inline fast path

  GroupScale group(size_t g) const {
    GroupScale gs;
    gs.code = code[g];
    gs.nan = (nan >> g) & 1;
    gs.X = X[g];
    gs.enc = enc[g];
    gs.s = s[g];
    return gs;
  }
};

// Bit g set where lane g of m is.
HWY_INLINE uint64_t MaskBits(MU m) {
  uint8_t bytes[8] = {};
  hn::StoreMaskBits(DU(), m, bytes);
  uint64_t bits = 0;
  for (size_t i = 0; i < 8; ++i) bits |= uint64_t{bytes[i]} << (8 * i);
  return bits;
}

template <RoundKind kMode, bool kInt>
HWY_INLINE void ComputeSuperScales(const Ctx& cx, const XScale& base, VU A, SuperScales& ss) {
  const DF df;
  const DU du;
  const DI di;
  const Plan& p = cx.p;
  const size_t N = hn::Lanes(df);
  const bool pow2 = p.kind == ScaleKind::pow2 || p.kind == ScaleKind::pow2_fp32;
  MU nan;
  VI X = hn::Zero(di);
  if (!pow2) {
    const LinearLanes ll = LinearScales(p.sp, p.ts, A);
    hn::Store(ll.code, du, ss.code);
    hn::Store(ll.enc, df, ss.enc);
    hn::Store(ll.s, df, ss.s);
    nan = ll.nan;
    if (!hn::AllFalse(du, nan)) {  // NaN groups: the scalar rule's codes and values
      HWY_ALIGN uint32_t amax[SuperScales::kMax];
      hn::Store(A, du, amax);
      for (size_t g = 0; g < N; ++g) {
        const GroupScale gs = group_scale(p.sp, u2f(amax[g]), p.ts);
        ss.code[g] = gs.code;
        ss.enc[g] = gs.enc;
        ss.s[g] = gs.s;
      }
    }
  } else if (p.sp.rule == ScaleRule::floor || p.sp.rule == ScaleRule::ceil ||
             p.sp.rule == ScaleRule::even) {
    VU code;
    X = Pow2Exponents(p.sp, A, &nan, &code);
    hn::Store(code, du, ss.code);
  } else {  // rceil, floor_py: the scalar rule per group
    HWY_ALIGN uint32_t amax[SuperScales::kMax], isnan[SuperScales::kMax];
    hn::Store(A, du, amax);
    for (size_t g = 0; g < N; ++g) {
      const GroupScale gs = group_scale(p.sp, u2f(amax[g]), p.ts);
      ss.code[g] = gs.code;
      ss.X[g] = gs.X;
      isnan[g] = gs.nan ? ~0u : 0u;
    }
    X = hn::Load(di, ss.X);
    nan = hn::Ne(hn::Load(du, isnan), hn::Zero(du));
  }
  hn::Store(X, di, ss.X);
  if (pow2) {  // what GroupLanes and the multiplies read (pow2 itself multiplies by nothing)
    const bool fp32 = p.kind == ScaleKind::pow2_fp32;
    hn::Store(fp32 ? Pow2Wide(df, hn::Neg(X)) : hn::Set(df, 1.0f), df, ss.enc);
    hn::Store(fp32 ? Pow2Wide(df, X) : hn::Set(df, 1.0f), df, ss.s);
  }
  ss.nan = MaskBits(nan);
  ss.fast = 0;
  if constexpr (kInt || kMode == RoundKind::mx_fp32) return;
  MU ok = hn::Not(nan);
  if (p.kind == ScaleKind::pow2) {  // the element grid moves with X: per-group constants
    const ElemCodec& c = p.codec;
    const VI ex = hn::Add(X, cx.vc.emin);
    const VF maxv = hn::Mul(cx.vc.max_finite, Pow2Wide(df, X));
    // TierLimits' fast_ok, lane by lane.
    const auto lane_ok =
        hn::And(hn::And(hn::Gt(ex, hn::Set(di, c.mbits - 23)), hn::Gt(ex, hn::Zero(di))),
                hn::Lt(ex, hn::Set(di, 255 - 23 + c.mbits)));
    ok = hn::And(ok, hn::And(hn::RebindMask(du, lane_ok),
                             hn::RebindMask(du, hn::Lt(maxv, hn::Set(df, INFINITY)))));
    hn::Store(hn::BitCast(du, ex), du, ss.EX);
    hn::Store(Pow2Wide(df, hn::Sub(ex, hn::Set(di, c.mbits + 127))), df, ss.q);
    hn::Store(maxv, df, ss.maxv);
    hn::Store(Pow2Wide(df, hn::Sub(ex, hn::Set(di, 127))), df, ss.minv);
  } else if (!base.fast_ok) {  // one element grid (X = 0): base's constants
    return;
  }
  ss.fast = MaskBits(ok);
}

// Input this far ahead of the vector being quantized is prefetched in the superblock loop:
// it reads each superblock twice (amax, then values from L1), and memory would idle during the
// second pass, the hardware prefetcher running too few lines ahead. The distance is the best
// one measured on a tensor far larger than the caches (bench/quantize_bench, one thread);
// shorter and longer ones were slower. Element-wise runs read once and only lose by it.
constexpr uintptr_t kPrefetchBytes = 3072;
HWY_INLINE void PrefetchAhead(const float* xp) {
  // Integer arithmetic: the address may lie past the end of the input (prefetches never fault).
  hwy::Prefetch(reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(xp) + kPrefetchBytes));
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
  const VU abs = hn::Set(du, 0x7FFFFFFFu);
  int64_t gc = gc0;
  // Superblocks: N whole groups of whole vectors.
  if (B % N == 0) {
    SuperScales ss{};
    const bool per_group_grid = p.kind == ScaleKind::pow2;
    const bool mul = cx.mul, tensor_g = cx.tensor_g;
    const VF tg = hn::Set(df, cx.g);
    // Locals, not p's members: stores through `values` could alias them.
    const float* const xin = p.x;
    float* const out = p.values;
    const uint64_t ibase = p.index_base;
    bool streamed = false;
    const int64_t vpg = B / N;  // vectors per group
    const int vpg_shift = (vpg & (vpg - 1)) == 0 ? __builtin_ctzll(static_cast<uint64_t>(vpg)) : -1;
    for (; gc + N <= gc1 && (gc + N) * B <= p.cols; gc += N) {
      const float* x = xin + row + gc * B;
      VU parts[hn::MaxLanes(DU())];
#if HWY_TARGET == HWY_SCALAR
      parts[0] = hn::Zero(du);  // set below too; GCC cannot see that the loop runs
#endif
      for (int64_t i = 0; i < N; ++i) {
        VU m = hn::Zero(du);
        for (int64_t j = 0; j < B; j += N)
          m = hn::Max(m, hn::And(hn::BitCast(du, hn::LoadU(df, x + i * B + j)), abs));
        parts[i] = m;
      }
      ComputeSuperScales<kMode, kInt>(cx, base, ReduceGroups(parts), ss);
      if (p.scales) hn::StoreU(hn::Load(du, ss.code), du, p.scales + gr * g.grid_cols + gc);
      // Groups the fast path cannot take go one at a time; each run of consecutive fast
      // groups is one loop over its vectors, which broadcast their group's constants from its
      // lane (no per-group loop setup: at B = Lanes a group is a single vector).
      for (int64_t i = 0; i < N;) {
        if (!((ss.fast >> i) & 1)) {
          RowGroup<kMode, kInt>(cx, k, GroupLanes(p, table, base, ss.group(i)), row + (gc + i) * B,
                                B, cnt);
          ++i;
          continue;
        }
        int64_t i1 = i + 1;
        while (i1 < N && ((ss.fast >> i1) & 1)) ++i1;
        const int64_t off = row + (gc + i) * B, first = i;
        const auto run = [&](auto kMul, auto kStream) {
          ForEachVecDraws<kMode, 8>(
              k.rng, ibase + static_cast<uint64_t>(off),
              (i1 - i) * vpg, [&](int64_t v, VU rnd) __attribute__((always_inline)) {
                const int64_t gi = first + (vpg_shift >= 0 ? v >> vpg_shift : v / vpg);
                FastScale<DF> fs = base.fs;
                if (per_group_grid) {
                  fs.EX = hn::Set(du, ss.EX[gi]);
                  fs.q = hn::Set(df, ss.q[gi]);
                  fs.maxv = hn::Set(df, ss.maxv[gi]);
                  fs.minv = hn::Set(df, ss.minv[gi]);
                }
                const VF mul_in = hn::Set(df, ss.enc[gi]), mul_out = hn::Set(df, ss.s[gi]);
                const auto lanes = [&] { return GroupLanes(p, table, base, ss.group(gi)); };
                const int64_t e = off + v * N;
                PrefetchAhead(xin + e);
                FastVec<kMode, kInt, decltype(kStream)::value>(
                    cx, k, fs, kMul, tensor_g, mul_in, mul_out, tg, xin + e, out + e,
                    ibase + static_cast<uint64_t>(e), rnd, lanes, cnt);
              });
        };
        using T = std::true_type;
        using F = std::false_type;
        const bool aligned = reinterpret_cast<uintptr_t>(out + off) % (N * sizeof(float)) == 0;
        if (p.stream_stores && aligned) {
          streamed = true;
          mul ? run(T(), T()) : run(F(), T());
        } else {
          mul ? run(T(), F()) : run(F(), F());
        }
        i = i1;
      }
    }
    if (streamed) hwy::FlushStream();  // order the non-temporal stores before the task ends
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
