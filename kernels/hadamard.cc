// Blockwise fast Walsh-Hadamard transform: in-register butterflies below the vector width,
// vector-pair butterflies above it; a scalar reference path with the same operation order.
#include "kernels/hadamard.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/hadamard.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace lowp::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Blocks longer than this keep their first stages in registers (a sub-block of this length
// at a time) and run the later ones over memory.
constexpr int kRegisterBlock = 256;

// Rows [r0, r1) of a row-axis transform: blocks of kBlock columns (kBlock >= Lanes; a
// compile-time length so the block stays in registers). `pre` / `post` multiply x before the
// butterflies and after the normalisation (signs or ones). Without kFinish the butterflies'
// sums are stored as they are (a longer block's later stages follow).
template <int kBlock, bool kFinish = true>
HWY_INLINE void RowsT(const float* x, int64_t ldx, float* y, int64_t cols, int64_t r0, int64_t r1,
                      float norm, const float* pre, const float* post) {
  const hn::ScalableTag<float> df;
  constexpr int N = static_cast<int>(hn::MaxLanes(hn::ScalableTag<float>()));
  constexpr int nv = kBlock / N;
  hn::Vec<decltype(df)> v[nv];
#if HWY_TARGET != HWY_SCALAR
  // In-register stages h < N: partner lane l ^ h; lanes with bit h set take partner - v.
  const hn::RebindToSigned<decltype(df)> di;
  HWY_ALIGN int32_t idx[N];
  constexpr int kLevels = N >= 16 ? 4 : N >= 8 ? 3 : N >= 4 ? 2 : N >= 2 ? 1 : 0;
  decltype(hn::SetTableIndices(df, idx)) partner[kLevels > 0 ? kLevels : 1];
  hn::Mask<decltype(df)> upper[kLevels > 0 ? kLevels : 1];
  for (int level = 0, h = 1; level < kLevels; ++level, h *= 2) {
    for (int l = 0; l < N; ++l) idx[l] = l ^ h;
    partner[level] = hn::SetTableIndices(df, idx);
    upper[level] =
        hn::RebindMask(df, hn::Ne(hn::And(hn::Iota(di, 0), hn::Set(di, h)), hn::Zero(di)));
  }
#endif
  [[maybe_unused]] const auto vnorm = hn::Set(df, norm);
  for (int64_t r = r0; r < r1; ++r) {
    for (int64_t b = 0; b < cols; b += kBlock) {
      const float* xb = x + r * ldx + b;
      for (int i = 0; i < nv; ++i)
        v[i] = hn::Mul(hn::LoadU(df, xb + i * N), hn::LoadU(df, pre + b + i * N));
#if HWY_TARGET != HWY_SCALAR
      for (int level = 0; level < kLevels; ++level)
        for (int i = 0; i < nv; ++i) {
          const auto p = hn::TableLookupLanes(v[i], partner[level]);
          v[i] = hn::IfThenElse(upper[level], hn::Sub(p, v[i]), hn::Add(v[i], p));
        }
#endif
      for (int h = 1; h < nv; h *= 2)
        for (int i = 0; i < nv; i += 2 * h)
          for (int j = i; j < i + h; ++j) {
            const auto a = v[j], d = v[j + h];
            v[j] = hn::Add(a, d);
            v[j + h] = hn::Sub(a, d);
          }
      float* yb = y + r * cols + b;
      for (int i = 0; i < nv; ++i) {
        if constexpr (kFinish)
          v[i] = hn::Mul(hn::Mul(v[i], vnorm), hn::LoadU(df, post + b + i * N));
        hn::StoreU(v[i], df, yb + i * N);
      }
    }
  }
}

// The stages of half-width h = from, 2 from, ... < n over memory, then the normalisation, for
// one block of n units `stride` floats apart, each unit `count` floats (a multiple of Lanes)
// wide. Unit j's post factors: post[j * stride + c] per float (lane_post) or post[j].
void MemoryStages(float* v, int64_t stride, int64_t count, int n, int from, float norm,
                  const float* post, bool lane_post) {
  const hn::ScalableTag<float> df;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  for (int h = from; h < n; h *= 2)
    for (int i = 0; i < n; i += 2 * h)
      for (int j = i; j < i + h; ++j) {
        float* a = v + j * stride;
        float* d = v + (j + h) * stride;
        for (int64_t c = 0; c < count; c += N) {
          const auto s = hn::LoadU(df, a + c), t = hn::LoadU(df, d + c);
          hn::StoreU(hn::Add(s, t), df, a + c);
          hn::StoreU(hn::Sub(s, t), df, d + c);
        }
      }
  const auto vnorm = hn::Set(df, norm);
  for (int j = 0; j < n; ++j)
    for (int64_t c = 0; c < count; c += N) {
      float* p = v + j * stride + c;
      const auto f = lane_post ? hn::LoadU(df, post + j * stride + c) : hn::Set(df, post[j]);
      hn::StoreU(hn::Mul(hn::Mul(hn::LoadU(df, p), vnorm), f), df, p);
    }
}

// Dispatch on the block length (n >= Lanes, a power of two up to 4096).
void HadamardRows(const float* x, int64_t ldx, float* y, int64_t cols, int64_t r0, int64_t r1,
                  int n, float norm, const float* pre, const float* post) {
  constexpr int N = static_cast<int>(hn::MaxLanes(hn::ScalableTag<float>()));
  switch (n) {
    case 2:
      if constexpr (N <= 2) return RowsT<2>(x, ldx, y, cols, r0, r1, norm, pre, post);
      break;
    case 4:
      if constexpr (N <= 4) return RowsT<4>(x, ldx, y, cols, r0, r1, norm, pre, post);
      break;
    case 8:
      if constexpr (N <= 8) return RowsT<8>(x, ldx, y, cols, r0, r1, norm, pre, post);
      break;
    case 16:
      if constexpr (N <= 16) return RowsT<16>(x, ldx, y, cols, r0, r1, norm, pre, post);
      break;
    case 32:
      return RowsT<32>(x, ldx, y, cols, r0, r1, norm, pre, post);
    case 64:
      return RowsT<64>(x, ldx, y, cols, r0, r1, norm, pre, post);
    case 128:
      return RowsT<128>(x, ldx, y, cols, r0, r1, norm, pre, post);
    case 256:
      return RowsT<256>(x, ldx, y, cols, r0, r1, norm, pre, post);
    default:
      if (n < kRegisterBlock) break;
      // A block is n / 256 units of 256 columns: stages h < 256 inside each unit, in
      // registers; then the stages between units.
      RowsT<kRegisterBlock, false>(x, ldx, y, cols, r0, r1, norm, pre, post);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t b = 0; b < cols; b += n)
          MemoryStages(y + r * cols + b, kRegisterBlock, kRegisterBlock, n / kRegisterBlock, 1,
                       norm, post + b, true);
      return;
  }
  HWY_ABORT("HadamardRows: block %d below the vector length", n);
}

// Columns [c0, c1) of a column-axis transform (butterflies between rows); c1 - c0 a
// multiple of Lanes (the caller handles a ragged tail with the scalar path). Blocks longer
// than 256 rows run their first stages on 256-row groups in registers, the rest over memory.
void HadamardCols(const float* x, int64_t ldx, float* y, int64_t rows, int64_t cols, int64_t c0,
                  int64_t c1, int n, float norm, const float* pre, const float* post) {
  const hn::ScalableTag<float> df;
  const int64_t N = static_cast<int64_t>(hn::Lanes(df));
  hn::Vec<decltype(df)> v[kRegisterBlock];
  const int m = std::min(n, kRegisterBlock);  // rows per register group
  const bool finish = m == n;
  const auto vnorm = hn::Set(df, norm);
  for (int64_t g = 0; g < rows; g += m)
    for (int64_t c = c0; c + N <= c1; c += N) {
      for (int j = 0; j < m; ++j)
        v[j] = hn::Mul(hn::LoadU(df, x + (g + j) * ldx + c), hn::Set(df, pre[g + j]));
      for (int h = 1; h < m; h *= 2)
        for (int i = 0; i < m; i += 2 * h)
          for (int j = i; j < i + h; ++j) {
            const auto a = v[j], d = v[j + h];
            v[j] = hn::Add(a, d);
            v[j + h] = hn::Sub(a, d);
          }
      for (int j = 0; j < m; ++j) {
        if (finish) v[j] = hn::Mul(hn::Mul(v[j], vnorm), hn::Set(df, post[g + j]));
        hn::StoreU(v[j], df, y + (g + j) * cols + c);
      }
    }
  if (finish) return;
  for (int64_t g = 0; g < rows; g += n)
    MemoryStages(y + g * cols + c0, cols, c1 - c0, n, m, norm, post + g, false);
}

size_t LanesF32() {
  return hn::Lanes(hn::ScalableTag<float>());
}

}  // namespace lowp::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "kernels/parallel.h"
#include "kernels/runtime.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp::kernels {

HWY_EXPORT(HadamardRows);
HWY_EXPORT(HadamardCols);
HWY_EXPORT(LanesF32);

namespace {

// One block of n values at stride `step` (the scalar path: the same operations in order).
void block_scalar(float* v, int64_t step, int n, float norm, const float* pre, const float* post) {
  for (int j = 0; j < n; ++j) v[j * step] *= pre[j];
  for (int h = 1; h < n; h *= 2)
    for (int i = 0; i < n; i += 2 * h)
      for (int j = i; j < i + h; ++j) {
        const float a = v[j * step], d = v[(j + h) * step];
        v[j * step] = a + d;
        v[(j + h) * step] = a - d;
      }
  for (int j = 0; j < n; ++j) v[j * step] = v[j * step] * norm * post[j];
}

// Copies columns [c0, c1) of x (leading dimension ldx) into compact y, unless y is x.
void copy_cols(const float* x, int64_t ldx, float* y, int64_t rows, int64_t cols, int64_t c0,
               int64_t c1) {
  if (y == x || c1 <= c0) return;
  for (int64_t r = 0; r < rows; ++r)
    std::copy(x + r * ldx + c0, x + r * ldx + c1, y + r * cols + c0);
}

}  // namespace

void hadamard(const HadamardSpec& h, const float* x, int64_t ldx, float* y, int64_t rows,
              int64_t cols, Axis axis, int64_t first) {
  const int n = h.n;
  if (n < 2 || n > 4096 || (n & (n - 1)) != 0)
    fail("hadamard: block length " + std::to_string(n) +
         " is not a power of two in 2..4096 (the recipes use 16, 32, 64, 128)");
  if (rows < 0 || cols < 0) fail("hadamard: negative shape");
  const int64_t len = axis == Axis::row ? cols : rows;
  if (len % n != 0)
    fail("hadamard: the transform axis has length " + std::to_string(len) +
         ", not a multiple of the block length " + std::to_string(n) +
         "; choose a block length that divides it");
  if (ldx < cols)
    fail("hadamard: leading dimension " + std::to_string(ldx) + " is less than the " +
         std::to_string(cols) + " columns");
  if (x == y && ldx != cols)
    fail("hadamard: in place needs a compact input (ldx == cols), got ldx " + std::to_string(ldx) +
         " for " + std::to_string(cols) + " columns");
  if (rows * cols == 0) return;
  if ((x == nullptr || y == nullptr)) fail("hadamard: null tensor pointer");
  // Signs along the axis, and ones; forward applies signs first, inverse last.
  std::vector<float> signs(static_cast<size_t>(len)), ones(static_cast<size_t>(len), 1.0f);
  for (int64_t k = 0; k < len; ++k)
    signs[k] =
        h.random_signs &&
                (random_bits(h.seed, h.stream, h.sign_base + static_cast<uint64_t>(first + k)) & 1u)
            ? -1.0f
            : 1.0f;
  const float* pre = h.inverse ? ones.data() : signs.data();
  const float* post = h.inverse ? signs.data() : ones.data();
  const float norm = static_cast<float>(1.0 / std::sqrt(static_cast<double>(n)));
  constexpr int64_t kGrain = 1 << 15;
  const bool simd = !force_scalar();
  if (axis == Axis::row) {
    const bool wide = simd && static_cast<size_t>(n) >= HWY_DYNAMIC_DISPATCH(LanesF32)();
    const int64_t per = std::max<int64_t>(1, kGrain / cols);
    parallel_for(task_count(rows, per), [&](int64_t t) {
      const int64_t r0 = t * per, r1 = std::min(rows, r0 + per);
      if (wide)
        return HWY_DYNAMIC_DISPATCH(HadamardRows)(x, ldx, y, cols, r0, r1, n, norm, pre, post);
      copy_cols(x + r0 * ldx, ldx, y + r0 * cols, r1 - r0, cols, 0, cols);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t b = 0; b < cols; b += n)
          block_scalar(y + r * cols + b, 1, n, norm, pre + b, post + b);
    });
    return;
  }
  const int64_t N = simd ? static_cast<int64_t>(HWY_DYNAMIC_DISPATCH(LanesF32)()) : 1;
  const int64_t per = std::max<int64_t>(N, (kGrain / rows) / N * N);  // columns per task
  parallel_for(task_count(cols, per), [&](int64_t t) {
    const int64_t c0 = t * per, c1 = std::min(cols, c0 + per);
    const int64_t cv = simd ? c0 + (c1 - c0) / N * N : c0;  // SIMD columns, then a scalar tail
    if (cv > c0)
      HWY_DYNAMIC_DISPATCH(HadamardCols)(x, ldx, y, rows, cols, c0, cv, n, norm, pre, post);
    copy_cols(x, ldx, y, rows, cols, cv, c1);
    for (int64_t c = cv; c < c1; ++c)
      for (int64_t g = 0; g < rows; g += n)
        block_scalar(y + g * cols + c, cols, n, norm, pre + g, post + g);
  });
}

}  // namespace lowp::kernels
#endif  // HWY_ONCE
