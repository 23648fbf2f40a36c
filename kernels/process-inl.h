// Element vectors of the quantization tasks (per SIMD target): ProcessVec (any vector,
// every output) and FastRun (whole vectors, values only), plus the amax reduction.
#if defined(LOWP_KERNELS_PROCESS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_PROCESS_INL_H_
#undef LOWP_KERNELS_PROCESS_INL_H_
#else
#define LOWP_KERNELS_PROCESS_INL_H_
#endif

#include <algorithm>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/lanes-inl.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Quantizes n (<= Lanes) elements starting at xp: values to yp, codes to cp (each optional),
// flag counts and error sums into cnt.
template <RoundKind kMode, bool kInt>
HWY_NOINLINE void ProcessVec(const Ctx& cx, const float* xp, float* yp, uint32_t* cp, uint64_t idx,
                             size_t n, const LaneScale& ls, Counts& cnt) {
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
  if constexpr (!kInt && kMode != RoundKind::mx_fp32) {
    if (cx.values_only) {
      const XScale& xsc = *ls.xs;
      if (!xsc.per_lane) {
        done = xsc.fast_ok && FakeQuantVec<kMode>(df, cx.vc, cx.vf, xsc.fs, xs, rnd, &r.value);
      } else {
        FastScale<DF> fs;
        done = FastFromLanes(cx, xsc.X, &fs) &&
               FakeQuantVec<kMode>(df, cx.vc, cx.vf, fs, xs, rnd, &r.value);
      }
    }
  }
  const VU a = hn::And(hn::BitCast(du, xs), hn::Set(du, 0x7FFFFFFFu));
  if (!done) {
    const VI Xenc = cx.pow2 ? ls.xs->X : hn::Zero(di);
    const Tier tier = ChooseTier(cx, a, *ls.xs);
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

// Copies of a task's constants in locals whose address never escapes (see FastRun).
struct FastConsts {
  VCodec<DF> vc;
  VFast<DF> vf;
  PhiloxVec<DU> rng;
  explicit FastConsts(const Ctx& cx) : vc(cx.vc), vf(cx.vf), rng(cx.rng) {}
};

// Calls fn(v, rnd) for v in [0, nvec): vector v holds element indices idx + v * Lanes() and
// rnd is its random draws (zero for modes that draw none), drawn K vectors at a time (8 is the
// best of 2, 4, 8 and 16 for stochastic rounding in cache, per bench/quantize_bench).
template <RoundKind kMode, size_t K, class Fn>
HWY_INLINE void ForEachVecDraws(const PhiloxVec<DU>& rng, uint64_t idx, int64_t nvec,
                                const Fn& fn) {
  const DU du;
  const uint64_t N = hn::Lanes(du);
  int64_t v = 0;
  if constexpr (kMode == RoundKind::sr || kMode == RoundKind::sr_equal) {
    for (; v + static_cast<int64_t>(K) <= nvec; v += K) {
      VU rnd[K];
      RandomBatch<K>(du, rng, idx + static_cast<uint64_t>(v) * N, rnd);
      for (size_t b = 0; b < K; ++b) fn(v + static_cast<int64_t>(b), rnd[b]);
    }
    for (; v < nvec; ++v) fn(v, RandomBits(du, rng, idx + static_cast<uint64_t>(v) * N));
  } else {
    for (; v < nvec; ++v) fn(v, hn::Zero(du));
  }
}

// One vector through the value fast path: x (* mul_in), FakeQuantVec, then (* mul_out, and
// * g with a tensor scale), stored (around the cache when kStream). A vector the fast path
// rejects goes through ProcessVec with lane_scale()'s LaneScale.
template <RoundKind kMode, bool kInt, bool kStream, class LaneScaleFn>
HWY_INLINE void FastVec(const Ctx& cx, const FastConsts& k, const FastScale<DF>& fs, bool mul,
                        bool tensor_g, VF mul_in, VF mul_out, VF g, const float* xp, float* yp,
                        uint64_t i, VU rnd, const LaneScaleFn& lane_scale, Counts& cnt) {
  const DF df;
  const VF xv = hn::LoadU(df, xp);
  const VF xs = mul ? hn::Mul(xv, mul_in) : xv;
  VF r;
  if (HWY_LIKELY(FakeQuantVec<kMode>(df, k.vc, k.vf, fs, xs, rnd, &r))) {
    if (mul) {
      r = hn::Mul(r, mul_out);
      if (tensor_g) r = hn::Mul(r, g);
    }
    if constexpr (kStream)
      hn::Stream(r, df, yp);
    else
      hn::StoreU(r, df, yp);
  } else {
    ProcessVec<kMode, kInt>(cx, xp, yp, nullptr, i, hn::Lanes(df), lane_scale(), cnt);
  }
}

// Values-only run over `nvec` whole vectors sharing one LaneScale: the fast path with its
// constants held in locals (so stores cannot force reloads); vectors it cannot take go
// through ProcessVec. Requires FastRunOk(cx, ls).
template <RoundKind kMode>
HWY_INLINE void FastRun(const Ctx& cx, const FastConsts& k, const LaneScale& ls, const float* x,
                        float* y, uint64_t idx, int64_t nvec, Counts& cnt) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(DF()));
  const FastScale<DF> fs = ls.xs->fs;
  const VF mul_in = ls.mul_in, mul_out = ls.mul_out, g = hn::Set(DF(), cx.g);
  const bool mul = cx.mul, tensor_g = cx.tensor_g;
  const auto lanes = [&]() -> const LaneScale& { return ls; };
  // always_inline: GCC otherwise emits a call to this lambda for every vector, which costs
  // more than the vector's quantization.
  const auto one = [&](int64_t v, VU rnd) __attribute__((always_inline)) {
    FastVec<kMode, false, false>(cx, k, fs, mul, tensor_g, mul_in, mul_out, g, x + v * N, y + v * N,
                                 idx + static_cast<uint64_t>(v * N), rnd, lanes, cnt);
  };
  ForEachVecDraws<kMode, 8>(k.rng, idx, nvec, one);
}

template <RoundKind kMode, bool kInt>
HWY_INLINE bool FastRunOk(const Ctx& cx, const LaneScale& ls) {
  return !kInt && kMode != RoundKind::mx_fp32 && cx.values_only && !ls.xs->per_lane &&
         ls.xs->fast_ok && !ls.any_nan;
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
  for (; i + static_cast<int64_t>(N) <= n; i += N)
    m0 = hn::Max(m0, hn::And(hn::BitCast(du, hn::LoadU(DF(), x + i)), abs));
  uint32_t m = hn::GetLane(hn::MaxOfLanes(du, hn::Max(m0, m1)));
  for (; i < n; ++i) m = std::max(m, f2u(x[i]) & 0x7FFFFFFFu);
  return m;
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_PROCESS_INL_H_
