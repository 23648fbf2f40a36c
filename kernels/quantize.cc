// Dispatch and task planning of quantize_tensor / fake_quantize / dequantize_tensor / amax.
#include "kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/quantize.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/quantize-inl.h"  // IWYU pragma: keep

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {

// One task of a plan: picks the instantiation for the codec's rounding and element kind.
void RunQuantTask(const Plan& p, int64_t task, Counts& cnt) {
  const auto run = [&](auto mode_tag, auto int_tag) {
    constexpr RoundKind kMode = decltype(mode_tag)::value;
    constexpr bool kInt = decltype(int_tag)::value;
    if (p.flat)
      FlatTask<kMode, kInt>(p, task, cnt);
    else
      GroupTask<kMode, kInt>(p, task, cnt);
  };
  const auto with_mode = [&](auto int_tag) {
    using RK = RoundKind;
    switch (p.codec.round) {
      case RK::rne:
        return run(std::integral_constant<RK, RK::rne>(), int_tag);
      case RK::incr:
        return run(std::integral_constant<RK, RK::incr>(), int_tag);
      case RK::odd:
        return run(std::integral_constant<RK, RK::odd>(), int_tag);
      case RK::sr:
        return run(std::integral_constant<RK, RK::sr>(), int_tag);
      case RK::sr_equal:
        return run(std::integral_constant<RK, RK::sr_equal>(), int_tag);
      case RK::mx_fp32:
        return run(std::integral_constant<RK, RK::mx_fp32>(), int_tag);
    }
  };
  if (p.codec.is_int)
    with_mode(std::true_type());
  else
    with_mode(std::false_type());
}

uint32_t MaxAbsBits(const float* x, int64_t n) {
  return MaxAbsBitsImpl(x, n);
}

// values[i] = table[codes[i] & mask] * mult[c] (* g); NaN where nan[c]; row range of one
// group row, columns [c0, c1). mult / nan are indexed by c - c0 (null: unscaled).
void DequantRows(const float* table, uint32_t mask, const uint32_t* codes, int64_t cols, int64_t r0,
                 int64_t r1, int64_t c0, int64_t c1, const float* mult, const uint32_t* nan,
                 float g, float* values) {
  const DF df;
  const DU du;
  const DI di;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  const VU vmask = hn::Set(du, mask);
  HWY_ALIGN uint32_t cb[hn::MaxLanes(DU())];
  HWY_ALIGN float vb[hn::MaxLanes(DF())];
  for (int64_t r = r0; r < r1; ++r) {
    for (int64_t c = c0; c < c1; c += N) {
      const size_t n = static_cast<size_t>(std::min(N, c1 - c));
      const uint32_t* cp = codes + r * cols + c;
      VU code;
      if (n == static_cast<size_t>(N)) {
        code = hn::LoadU(du, cp);
      } else {
        std::memset(cb, 0, sizeof cb);
        std::memcpy(cb, cp, n * sizeof(uint32_t));
        code = hn::Load(du, cb);
      }
      VF v = hn::GatherIndex(df, table, hn::BitCast(di, hn::And(code, vmask)));
      if (mult) {
        const size_t j = static_cast<size_t>(c - c0);
        v = hn::Mul(v, hn::LoadU(df, mult + j));
        if (g != 1.0f) v = hn::Mul(v, hn::Set(df, g));
        const auto is_nan = hn::RebindMask(df, hn::Ne(hn::LoadU(du, nan + j), hn::Zero(du)));
        v = hn::IfThenElse(is_nan, hn::Set(df, u2f(0x7FC00000u)), v);
      }
      float* vp = values + r * cols + c;
      if (n == static_cast<size_t>(N)) {
        hn::StoreU(v, df, vp);
      } else {
        hn::Store(v, df, vb);
        std::memcpy(vp, vb, n * sizeof(float));
      }
    }
  }
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "kernels/parallel.h"
#include "kernels/runtime.h"
#include "util/error.h"

namespace lowp::kernels {

HWY_EXPORT(RunQuantTask);
HWY_EXPORT(MaxAbsBits);
HWY_EXPORT(DequantRows);

namespace {

constexpr int64_t kGrain = 1 << 16;                  // elements per task
constexpr int64_t kStreamBytes = int64_t{32} << 20;  // the L3 of one Zen 4 CCD

void check_args(const char* op, const void* x, int64_t rows, int64_t cols) {
  if (rows < 0 || cols < 0)
    fail(std::string(op) + ": shape [" + std::to_string(rows) + ", " + std::to_string(cols) +
         "] is negative; pass rows, cols >= 0");
  if (x == nullptr && rows * cols > 0) fail(std::string(op) + ": input pointer is null");
}

uint32_t max_abs_bits(const float* x, int64_t n) {
  const int64_t tasks = task_count(n, 4 * kGrain);
  std::vector<uint32_t> part(static_cast<size_t>(tasks), 0u);
  parallel_for(tasks, [&](int64_t t) {
    const int64_t b = t * 4 * kGrain, e = std::min(n, b + 4 * kGrain);
    part[t] = HWY_DYNAMIC_DISPATCH(MaxAbsBits)(x + b, e - b);
  });
  uint32_t m = 0;
  for (uint32_t v : part) m = std::max(m, v);
  return m;
}

// Runs the plan's tasks; adds the counts to stats / the error sums to *err.
void run_plan(Plan& p, int64_t tasks, QuantStats* stats, QuantError* err) {
  p.counts.assign(static_cast<size_t>(tasks), Counts{});
  parallel_for(tasks, [&](int64_t t) { HWY_DYNAMIC_DISPATCH(RunQuantTask)(p, t, p.counts[t]); });
  for (const Counts& c : p.counts) {  // task order: the same sums for any thread count
    if (stats) {
      stats->n += c.n;
      stats->saturated += c.saturated;
      stats->flushed += c.flushed;
      stats->nan_mapped += c.nan_mapped;
      stats->overflowed += c.overflowed;
    }
    if (err) {
      err->sum_sq_err += c.sse;
      err->sum_sq += c.ss;
      err->nonfinite += c.nonfinite;
    }
  }
}

// The SIMD path of quantize_tensor; false when this format is left to the oracle.
// tensor_amax: a two-level format's tensor amax, when x is part of a larger tensor (null:
// x's own).
bool quantize_simd(const Format& f, const float* x, int64_t rows, int64_t cols, const QuantOut& out,
                   uint64_t index_base, QuantError* err, const float* tensor_amax = nullptr) {
  const int64_t n = rows * cols;
  Plan p;
  p.f = &f;
  p.co = f.cast;
  p.kind = scale_kind(f);
  p.sp = scale_params(f);
  if (p.kind != ScaleKind::none) p.co.saturate = true;
  p.codec = make_codec(f.elem, p.co,
                       p.kind == ScaleKind::none && f.cast.profile == Profile::microxcaling);
  if (!p.codec.simd) return false;
  p.x = x;
  p.rows = rows;
  p.cols = cols;
  p.index_base = index_base;
  p.values = out.values;
  p.codes = out.codes;
  p.scales = out.scales;
  p.want_flags = out.stats != nullptr || err != nullptr;
  p.want_error = err != nullptr;
  p.grid = scale_grid(f, rows, cols);
  if (f.tensor_scale) p.ts = tensor_scale(f, tensor_amax ? *tensor_amax : u2f(max_abs_bits(x, n)));
  if (f.tensor_scale && out.tensor_scale) *out.tensor_scale = f2u(p.ts.g);
  int64_t tasks;
  if (p.kind == ScaleKind::none || f.granularity == Granularity::tensor) {
    p.flat = true;
    p.chunk = kGrain;
    tasks = n == 0 ? 0 : task_count(n, kGrain);
    if (p.kind != ScaleKind::none && n > 0) {
      p.flat_scale = group_scale(p.sp, u2f(max_abs_bits(x, n)), p.ts);
      if (out.scales) out.scales[0] = p.flat_scale.code;
    }
  } else {
    const int64_t group = p.grid.group_rows * p.grid.group_cols;
    p.groups_per_task = std::max<int64_t>(1, kGrain / std::max<int64_t>(group, 1));
    p.col_tasks = p.grid.grid_cols == 0 ? 0 : task_count(p.grid.grid_cols, p.groups_per_task);
    // Rows with fewer groups than a task holds share tasks (about kGrain elements each).
    p.rows_per_task =
        p.col_tasks == 1 ? std::max<int64_t>(1, p.groups_per_task / p.grid.grid_cols) : 1;
    tasks = task_count(p.grid.grid_rows, p.rows_per_task) * p.col_tasks;
    // An output larger than the last-level cache would be evicted before it is read again:
    // write it around the cache (no read-for-ownership), as memcpy does for large copies.
    p.stream_stores =
        out.values && out.values != x && n * static_cast<int64_t>(sizeof(float)) > kStreamBytes;
  }
  run_plan(p, tasks, out.stats, err);
  return true;
}

// Identity format: values are the input, codes its bits.
void quantize_fp32(const float* x, int64_t n, const QuantOut& out) {
  parallel_for(task_count(n, kGrain), [&](int64_t t) {
    const int64_t b = t * kGrain, e = std::min(n, b + kGrain);
    if (out.codes) std::memcpy(out.codes + b, x + b, static_cast<size_t>(e - b) * sizeof(float));
    if (out.values && out.values != x)
      std::memmove(out.values + b, x + b, static_cast<size_t>(e - b) * sizeof(float));
  });
  if (out.stats) out.stats->n += n;
}

// decode() of every code of a format of <= 16 bits, built once per element format.
const std::vector<float>& decode_table(const ElementFormat& e) {
  static std::mutex mu;
  static std::vector<std::pair<ElementFormat, std::vector<float>>> cache;
  std::lock_guard<std::mutex> lk(mu);
  for (const auto& [fmt, table] : cache)
    if (fmt == e) return table;
  std::vector<float> t(size_t{1} << e.bits);
  for (size_t c = 0; c < t.size(); ++c) t[c] = decode(e, static_cast<uint32_t>(c));
  cache.emplace_back(e, std::move(t));
  return cache.back().second;
}

}  // namespace

void quantize_tensor(const Format& f, const float* x, int64_t rows, int64_t cols,
                     const QuantOut& out, uint64_t index_base) {
  check_args("quantize_tensor", x, rows, cols);
  if (force_scalar()) return lowp::quantize_tensor(f, x, rows, cols, out, index_base);
  if (!f.scaled() && f.elem.kind == ElemKind::fp32) return quantize_fp32(x, rows * cols, out);
  if (!quantize_simd(f, x, rows, cols, out, index_base, nullptr))
    lowp::quantize_tensor(f, x, rows, cols, out, index_base);
}

void fake_quantize(const Format& f, const float* x, float* y, int64_t rows, int64_t cols,
                   uint64_t index_base, uint32_t* tensor_scale) {
  if (y == nullptr && rows * cols > 0) fail("fake_quantize: output pointer is null");
  QuantOut o;
  o.values = y;
  o.tensor_scale = tensor_scale;
  kernels::quantize_tensor(f, x, rows, cols, o, index_base);
}

bool fake_quantize_part(const Format& f, const float* x, float* y, int64_t rows, int64_t cols,
                        uint64_t index_base, float tensor_amax, uint32_t* tensor_scale) {
  check_args("fake_quantize_part", x, rows, cols);
  if (y == nullptr && rows * cols > 0) fail("fake_quantize_part: output pointer is null");
  if (f.granularity != Granularity::block || !std::isfinite(tensor_amax))
    fail("fake_quantize_part: needs a block-scaled format and a finite tensor amax");
  if (force_scalar()) return false;
  QuantOut o;
  o.values = y;
  o.tensor_scale = tensor_scale;
  return quantize_simd(f, x, rows, cols, o, index_base, nullptr, &tensor_amax);
}

QuantError quant_error(const Format& f, const float* x, int64_t rows, int64_t cols,
                       uint64_t index_base) {
  check_args("quant_error", x, rows, cols);
  QuantError err;
  const int64_t n = rows * cols;
  err.amax = amax(x, n);
  QuantOut o;
  o.stats = &err.counts;
  if (force_scalar() || !quantize_simd(f, x, rows, cols, o, index_base, &err)) {
    // Scalar path: the oracle's values, summed in element order.
    std::vector<float> v(static_cast<size_t>(n));
    o.values = v.data();
    lowp::quantize_tensor(f, x, rows, cols, o, index_base);
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(x[i]) || !std::isfinite(v[i])) {
        ++err.nonfinite;
        continue;
      }
      const double d = static_cast<double>(x[i]) - v[i];
      err.sum_sq_err += d * d;
      err.sum_sq += static_cast<double>(x[i]) * x[i];
    }
  }
  return err;
}

float amax(const float* x, int64_t n) {
  check_args("amax", x, 1, n);
  if (force_scalar()) {
    float m = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
      if (std::isnan(x[i])) return x[i];
      m = std::max(m, std::fabs(x[i]));
    }
    return m;
  }
  const uint32_t b = max_abs_bits(x, n);
  return b > 0x7F800000u ? u2f(0x7FC00000u) : u2f(b);
}

void dequantize_tensor(const Format& f, const uint32_t* codes, const uint32_t* scales,
                       uint32_t tensor_scale_bits, int64_t rows, int64_t cols, float* values) {
  check_args("dequantize_tensor", codes, rows, cols);
  const bool table_ok = f.elem.kind != ElemKind::fp32 && f.elem.bits <= 16;
  if (force_scalar() || !table_ok)
    return lowp::dequantize_tensor(f, codes, scales, tensor_scale_bits, rows, cols, values);
  if (!f.scaled()) {  // no groups: one flat row
    cols *= rows;
    rows = cols > 0 ? 1 : 0;
  }
  const std::vector<float>& table = decode_table(f.elem);
  const uint32_t mask = static_cast<uint32_t>(table.size() - 1);
  const ScaleGrid grid = scale_grid(f, rows, cols);
  const int64_t band = f.scaled() ? grid.group_rows : std::max<int64_t>(rows, 1);
  const int64_t bands = f.scaled() ? grid.grid_rows : (rows > 0 ? 1 : 0);
  const int64_t width = std::max<int64_t>(1, std::min(cols, kGrain / std::max<int64_t>(band, 1)));
  const int64_t col_tasks = cols == 0 ? 0 : task_count(cols, width);
  const float g = f.tensor_scale ? u2f(tensor_scale_bits) : 1.0f;
  const bool pow2 = f.scale == ScaleType::e8m0 || f.scale == ScaleType::pow2;
  parallel_for(bands * col_tasks, [&](int64_t t) {
    const int64_t gr = t / col_tasks, c0 = (t % col_tasks) * width;
    const int64_t c1 = std::min(cols, c0 + width);
    const int64_t r0 = f.scaled() ? gr * band : 0,
                  r1 = f.scaled() ? std::min(rows, r0 + band) : rows;
    std::vector<float> mult;
    std::vector<uint32_t> nan;
    if (f.scaled()) {
      mult.resize(static_cast<size_t>(c1 - c0 + 64));
      nan.assign(mult.size(), 0u);
      for (int64_t c = c0; c < c1; ++c) {
        const uint32_t sc = scales[gr * grid.grid_cols + c / grid.group_cols];
        const size_t j = static_cast<size_t>(c - c0);
        nan[j] = is_nan_scale(f, sc) ? ~0u : 0u;
        if (nan[j])
          mult[j] = 1.0f;
        else if (pow2)
          mult[j] =
              exp2i(f.scale == ScaleType::e8m0 ? static_cast<int>(sc) - 127 : std::ilogb(u2f(sc)));
        else
          mult[j] = decode_scale(f, sc);
      }
    }
    HWY_DYNAMIC_DISPATCH(DequantRows)
    (table.data(), mask, codes, cols, r0, r1, c0, c1, f.scaled() ? mult.data() : nullptr,
     nan.data(), pow2 ? 1.0f : g, values);
  });
}

}  // namespace lowp::kernels
#endif  // HWY_ONCE
