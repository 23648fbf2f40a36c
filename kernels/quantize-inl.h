// Quantization tasks (per SIMD target): vectors of elements through the codec, with their
// group's scale; flat ranges for unscaled formats, group rows x column ranges otherwise.
#if defined(LOWP_KERNELS_QUANTIZE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LOWP_KERNELS_QUANTIZE_INL_H_
#undef LOWP_KERNELS_QUANTIZE_INL_H_
#else
#define LOWP_KERNELS_QUANTIZE_INL_H_
#endif

#include <algorithm>
#include <cstring>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "hwy/highway.h"
#include "kernels/blocks-inl.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// A flat range of elements with one scale (unscaled formats, tensor granularity).
template <RoundKind kMode, bool kInt>
void FlatTask(const Plan& p, int64_t task, Counts& out) {
  const int64_t N = static_cast<int64_t>(hn::Lanes(DF()));
  const Ctx cx(p);
  XScale base;
  MakeXScale(p, p.flat_scale.X, &base);  // X = 0 unless tensor granularity with a pow2 scale
  LaneScale ls;
  ls.xs = &base;
  const bool pow2 = p.kind == ScaleKind::pow2 || p.kind == ScaleKind::pow2_fp32;
  ls.mul_in = pow2 ? base.mul_in : hn::Set(DF(), p.flat_scale.enc);
  ls.mul_out = pow2 ? base.mul_out : hn::Set(DF(), p.flat_scale.s);
  ls.any_nan = p.flat_scale.nan;
  ls.nan = hn::RebindMask(DU(), hn::Eq(hn::Set(DI(), ls.any_nan ? 1 : 0), hn::Set(DI(), 1)));
  const int64_t begin = task * p.chunk, end = std::min(p.rows * p.cols, begin + p.chunk);
  const float* x = p.x;
  float* y = p.values;
  uint32_t* codes = p.codes;
  Counts cnt;
  int64_t i = begin;
  if constexpr (!kInt && kMode != RoundKind::mx_fp32) {
    if (FastRunOk<kMode, kInt>(cx, ls) && y) {
      const int64_t nvec = (end - begin) / N;
      const FastConsts k(cx);
      FastRun<kMode>(cx, k, ls, x + i, y + i, p.index_base + i, nvec, cnt);
      i += nvec * N;
    }
  }
  for (; i + N <= end; i += N)
    ProcessVec<kMode, kInt>(cx, x + i, y ? y + i : nullptr, codes ? codes + i : nullptr,
                            p.index_base + i, static_cast<size_t>(N), ls, cnt);
  if (i < end)
    ProcessVec<kMode, kInt>(cx, x + i, y ? y + i : nullptr, codes ? codes + i : nullptr,
                            p.index_base + i, static_cast<size_t>(end - i), ls, cnt);
  cnt.n = end - begin;
  out = cnt;
}

// Group row gr x group columns [gc0, gc1): amax per group, scales, then the elements; adds
// to cnt.
template <RoundKind kMode, bool kInt>
void GroupRow(const Plan& p, const Ctx& cx, XTable& table, const XScale& base, int64_t gr,
              int64_t gc0, int64_t gc1, Counts& cnt) {
  const DF df;
  const DU du;
  const DI di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const ScaleGrid& g = p.grid;
  const int64_t ng = gc1 - gc0;
  const int64_t r0 = gr * g.group_rows, r1 = std::min(p.rows, r0 + g.group_rows);
  const int64_t c0 = gc0 * g.group_cols, c1 = std::min(p.cols, gc1 * g.group_cols);
  const bool broadcast = g.group_cols >= N;
  cnt.n += (r1 - r0) * (c1 - c0);

  // Blocks along rows, values only: amax, scale and elements block by block.
  if (broadcast && g.group_rows == 1 && cx.values_only && p.values)
    return RowBlocks<kMode, kInt>(cx, table, base, gr, gc0, gc1, cnt);

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

  // 2. Scales. (Groups one column wide: vectorised below, Lanes() columns at a time.)
  const bool column_groups = !broadcast && g.group_cols == 1;
  thread_local std::vector<GroupScale> gsv;
  gsv.resize(static_cast<size_t>(ng));
  for (int64_t k = 0; k < ng && !column_groups; ++k) {
    gsv[k] = group_scale(p.sp, u2f(amax[k]), p.ts);
    if (p.scales) p.scales[gr * g.grid_cols + gc0 + k] = gsv[k].code;
  }

  // 3. Elements.
  const auto row_ptrs = [&](int64_t r, int64_t c, float** y, uint32_t** code) {
    *y = p.values ? p.values + r * p.cols + c : nullptr;
    *code = p.codes ? p.codes + r * p.cols + c : nullptr;
  };
  if (broadcast) {
    const FastConsts k(cx);
    for (int64_t gi = 0; gi < ng; ++gi) {
      const LaneScale ls = GroupLanes(p, table, base, gsv[gi]);
      const int64_t cs = (gc0 + gi) * g.group_cols, ce = std::min(p.cols, cs + g.group_cols);
      const bool fast = FastRunOk<kMode, kInt>(cx, ls) && p.values;
      for (int64_t r = r0; r < r1; ++r) {
        int64_t c = cs;
        if constexpr (!kInt && kMode != RoundKind::mx_fp32) {
          if (fast) {
            const int64_t nvec = (ce - cs) / N, off = r * p.cols + cs;
            FastRun<kMode>(cx, k, ls, p.x + off, p.values + off, p.index_base + off, nvec, cnt);
            c += nvec * N;
          }
        }
        for (; c < ce; c += N) {
          float* y;
          uint32_t* code;
          row_ptrs(r, c, &y, &code);
          ProcessVec<kMode, kInt>(cx, p.x + r * p.cols + c, y, code,
                                  p.index_base + static_cast<uint64_t>(r * p.cols + c),
                                  static_cast<size_t>(std::min(N, ce - c)), ls, cnt);
        }
      }
    }
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
  const bool pow2 = p.kind == ScaleKind::pow2 || p.kind == ScaleKind::pow2_fp32;
  if (column_groups) {
    SuperScales ss{};
    for (int64_t j = 0; j < c1 - c0; j += N) {
      ComputeSuperScales<kMode, kInt>(cx, base, hn::LoadU(du, colmax.data() + j), ss);
      const size_t n = static_cast<size_t>(std::min(N, c1 - c0 - j));
      if (p.scales) std::memcpy(p.scales + gr * g.grid_cols + gc0 + j, ss.code, n * 4);
      std::memcpy(Xc.data() + j, ss.X, n * 4);
      std::memcpy(inc.data() + j, ss.enc, n * 4);
      std::memcpy(outc.data() + j, ss.s, n * 4);
      for (size_t i = 0; i < n && pow2; ++i) {  // as the per-group path below sets them
        inc[j + i] = exp2i(-ss.X[i]);
        outc[j + i] = exp2i(ss.X[i]);
      }
      for (size_t i = 0; i < n; ++i) nanc[j + i] = ((ss.nan >> i) & 1) ? ~0u : 0u;
      any_nan = any_nan || (ss.nan & ((n >= 64 ? 0 : uint64_t{1} << n) - 1)) != 0;
    }
  }
  for (int64_t c = c0; c < c1 && !column_groups; ++c) {
    const GroupScale& gs = gsv[(c - c0) / g.group_cols];
    const size_t j = static_cast<size_t>(c - c0);
    Xc[j] = gs.X;
    inc[j] = pow2 ? exp2i(-gs.X) : gs.enc;
    outc[j] = pow2 ? exp2i(gs.X) : gs.s;
    nanc[j] = gs.nan ? ~0u : 0u;
    any_nan = any_nan || gs.nan;
  }
  XScale lanes = base;  // per-lane X for pow2 groups; the X = 0 limits otherwise
  lanes.per_lane = pow2;
  LaneScale ls;
  ls.xs = &lanes;
  ls.any_nan = any_nan;
  // The lanes' scales are fixed down the group's rows: the fast path's constants are built
  // once per column vector. The elements then go row by row, so that a row's consecutive
  // vectors (consecutive element indices) take their random draws in batches.
  const FastConsts k(cx);
  const int64_t nv = (c1 - c0 + N - 1) / N;  // column vectors, the last maybe partial
  // (Vector-aligned storage: std::vector does not align these on every toolchain.)
  thread_local hwy::AlignedFreeUniquePtr<FastScale<DF>[]> fs_store;
  thread_local int64_t fs_cap = 0;
  if (fs_cap < nv) {
    fs_store = hwy::AllocateAligned<FastScale<DF>>(static_cast<size_t>(nv));
    fs_cap = nv;
  }
  FastScale<DF>* const fsv = fs_store.get();
  thread_local std::vector<uint8_t> fastv;
  fastv.assign(static_cast<size_t>(nv), 0);
  const auto load_lanes = [&](int64_t v) {  // ls and lanes for column vector v
    const size_t j = static_cast<size_t>(v * N);
    lanes.X = hn::LoadU(di, Xc.data() + j);
    ls.mul_in = hn::LoadU(df, inc.data() + j);
    ls.mul_out = hn::LoadU(df, outc.data() + j);
    ls.nan = hn::Ne(hn::LoadU(du, nanc.data() + j), hn::Zero(du));
  };
  bool any_fast = false;
  for (int64_t v = 0; v < nv; ++v) {
    if constexpr (!kInt && kMode != RoundKind::mx_fp32) {
      load_lanes(v);
      const bool whole = c0 + (v + 1) * N <= c1;
      if (cx.values_only && p.values && whole && hn::AllFalse(du, ls.nan)) {
        if (pow2) {
          fastv[v] = FastFromLanes(cx, lanes.X, &fsv[v]);
        } else if (base.fast_ok) {
          fastv[v] = 1;
          fsv[v] = base.fs;
        }
      }
      any_fast = any_fast || fastv[v];
    }
  }
  const bool mul = cx.mul, tensor_g = cx.tensor_g;
  const VF tg = hn::Set(df, cx.g);
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t off0 = r * p.cols + c0;
    const auto slow = [&](int64_t v) {
      const int64_t off = off0 + v * N;
      float* y;
      uint32_t* code;
      row_ptrs(r, c0 + v * N, &y, &code);
      load_lanes(v);
      ProcessVec<kMode, kInt>(cx, p.x + off, y, code, p.index_base + static_cast<uint64_t>(off),
                              static_cast<size_t>(std::min(N, c1 - c0 - v * N)), ls, cnt);
    };
    if (!any_fast) {
      for (int64_t v = 0; v < nv; ++v) slow(v);
      continue;
    }
    const auto one = [&](int64_t v, VU rnd) __attribute__((always_inline)) {
      if constexpr (!kInt && kMode != RoundKind::mx_fp32) {
        if (fastv[v]) {
          const size_t j = static_cast<size_t>(v * N);
          const int64_t off = off0 + v * N;
          const VF xv = hn::LoadU(df, p.x + off);
          const VF xs = mul ? hn::Mul(xv, hn::LoadU(df, inc.data() + j)) : xv;
          VF y;
          if (HWY_LIKELY(FakeQuantVec<kMode>(df, k.vc, k.vf, fsv[v], xs, rnd, &y))) {
            if (mul) {
              y = hn::Mul(y, hn::LoadU(df, outc.data() + j));
              if (tensor_g) y = hn::Mul(y, tg);
            }
            hn::StoreU(y, df, p.values + off);
            return;
          }
        }
      }
      slow(v);
    };
    const int64_t whole = (c1 - c0) / N;
    ForEachVecDraws<kMode, 8>(k.rng, p.index_base + static_cast<uint64_t>(off0), whole, one);
    for (int64_t v = whole; v < nv; ++v) slow(v);
  }
}

// One task: group rows [gr0, gr1) x a range of group columns. The per-plan constants are
// built once per task, so a task spans several group rows when a row holds few groups.
template <RoundKind kMode, bool kInt>
void GroupTask(const Plan& p, int64_t task, Counts& out) {
  const ScaleGrid& g = p.grid;
  const int64_t band = task / p.col_tasks;
  const int64_t gc0 = (task % p.col_tasks) * p.groups_per_task;
  const int64_t gc1 = std::min(g.grid_cols, gc0 + p.groups_per_task);
  const int64_t gr0 = band * p.rows_per_task, gr1 = std::min(g.grid_rows, gr0 + p.rows_per_task);
  const Ctx cx(p);
  thread_local XTable table;
  table.reset(&p);
  XScale base;
  MakeXScale(p, 0, &base);
  Counts cnt;
  for (int64_t gr = gr0; gr < gr1; ++gr)
    GroupRow<kMode, kInt>(p, cx, table, base, gr, gc0, gc1, cnt);
  out = cnt;
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // LOWP_KERNELS_QUANTIZE_INL_H_
