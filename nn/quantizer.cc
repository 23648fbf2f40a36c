// Quantizer construction and quantize_operand: Hadamard, then the SIMD kernels, in row pieces.
#include "nn/quantizer.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>

#include "formats/scaled.h"
#include "kernels/hadamard.h"
#include "kernels/parallel.h"
#include "kernels/quantize.h"
#include "nn/counters.h"
#include "nn/gemm.h"
#include "nn/vecmath.h"

namespace lowp::nn {
namespace {

bool element_bf16_exact(const ElementFormat& e) {
  if (e.kind == ElemKind::integer) return e.bits <= 8;
  if (e.kind != ElemKind::minifloat) return false;
  // The smallest subnormal must be a bf16 value too (2^-133 at the least).
  return e.ebits <= 8 && e.mbits <= 7 && 1 - e.bias - e.mbits >= -133;
}

// Ignoring a tensor scale: the values bf16 holds exactly (times g where there is one).
bool format_bf16_exact_unscaled(const Format& f) {
  if (!element_bf16_exact(f.elem)) return false;
  switch (f.scale) {
    case ScaleType::none:
      return !f.scaled();
    case ScaleType::e8m0:
    case ScaleType::pow2:
      return true;
    case ScaleType::ue4m3:
      return f.elem.kind == ElemKind::minifloat && f.elem.mbits <= 3;
    case ScaleType::fp32:
      return false;
  }
  return false;
}

bool format_bf16_exact(const Format& f) {
  return !f.tensor_scale && format_bf16_exact_unscaled(f);
}

// Elements per piece of an operand: its fp32 values stay in the thread's cache.
constexpr int64_t kPieceElems = 16384;

// Rows of one block-granularity scale group: a tile's, a column block's, or 1.
int64_t group_rows(const Format& f) {
  return f.tile_rows > 0 ? f.tile_rows : (f.axis == Axis::col ? f.block : 1);
}

// Rows per piece must be a multiple of this for the scale groups to stay whole (0: no split).
int64_t row_granule(const Format& f, const Hadamard& h, Axis reduction) {
  int64_t g = 1;
  if (!is_identity(f)) {
    if (f.tensor_scale || f.granularity == Granularity::tensor) return 0;
    if (f.granularity == Granularity::channel && f.axis == Axis::col) return 0;
    if (f.granularity == Granularity::block) g = group_rows(f);
  }
  if (h.active() && reduction == Axis::col) g = std::lcm(g, int64_t{h.n});
  return g;
}

// Quantizes rows [r0, r0 + m) into yp (compact, ld = cols). With tensor_amax (a two-level
// format; no transform), the rows are a part of a tensor with that amax: false, with nothing
// written, if only the scalar oracle takes f (it quantizes whole tensors only).
bool quantize_rows(const Format& f, const Hadamard& h, const float* x, int64_t ldx, float* yp,
                   int64_t r0, int64_t m, int64_t cols, Axis reduction, uint64_t index_base,
                   uint32_t* g_out, const float* tensor_amax = nullptr) {
  const bool quantize = !is_identity(f);
  const uint64_t base = index_base + r0 * cols;
  const auto fq = [&](const float* src) {
    if (!tensor_amax) return kernels::fake_quantize(f, src, yp, m, cols, base, g_out), true;
    return kernels::fake_quantize_part(f, src, yp, m, cols, base, *tensor_amax, g_out);
  };
  if (h.active()) {
    kernels::hadamard(h, x + r0 * ldx, ldx, yp, m, cols, reduction,
                      reduction == Axis::col ? r0 : 0);
    return !quantize || fq(yp);
  }
  if (quantize && ldx == cols) return fq(x + r0 * cols);
  for (int64_t r = 0; r < m; ++r)
    std::memcpy(yp + r * cols, x + (r0 + r) * ldx, sizeof(float) * cols);
  return !quantize || fq(yp);
}

// Calls fn(r0, m) for pieces of rows [r0, r0 + m) that keep whole multiples of granule rows
// (granule 0: one piece), in parallel. Each piece is one task of the pool, so the kernels it
// calls run serially on its thread (parallel_for's nesting rule).
template <class Fn>
void for_each_piece(int64_t rows, int64_t cols, int64_t granule, const Fn& fn) {
  if (granule == 0) return fn(int64_t{0}, rows);
  int64_t per = std::max<int64_t>(1, kPieceElems / cols);
  per = (per + granule - 1) / granule * granule;
  kernels::parallel_for((rows + per - 1) / per, [&](int64_t p) {
    const int64_t r0 = p * per;
    fn(r0, std::min(per, rows - r0));
  });
}

// bf16 itself, element-wise, keeping subnormals, under the lowp or ml_dtypes profile: its
// quantization leaves every finite bf16 value as it is, whatever the rounding mode (no
// discarded bits to round, stochastic rounding included) or saturation (nothing overflows).
bool idempotent_on_bf16(const Format& f) {
  return !f.scaled() && f.elem == make_minifloat(8, 7, Specials::ieee) && f.cast.subnormals &&
         (f.cast.profile == Profile::lowp || f.cast.profile == Profile::ml_dtypes);
}

// Runs quantize_rows over pieces of rows; the output goes to y (fp32) or, when y16 is given,
// through a per-thread piece buffer to y16 as bf16 bits. Returns the OR of the low halves
// dropped on the way to y16 (0: every value was a bf16 value).
uint32_t run_pieces(const Format& f, const Hadamard& h, const float* x, int64_t ldx, float* y,
                    uint16_t* y16, int64_t rows, int64_t cols, Axis reduction, uint64_t index_base,
                    float* tensor_g) {
  // A two-level format's tensor scale (such formats run as one piece: granule 0 below).
  uint32_t g_bits = std::bit_cast<uint32_t>(1.0f);
  uint32_t* g_out = tensor_g && f.tensor_scale ? &g_bits : nullptr;
  std::atomic<uint32_t> lost{0};
  const bool try_copy = y16 && !h.active() && idempotent_on_bf16(f);
  // Inputs already bf16 values (e.g. a saved activation) are copied: Q(x) = x. Under RNE the
  // rounding itself is the conversion. Either way a non-finite input or an overflow sends the
  // piece down the general path, which knows the format's saturation and NaNs.
  const auto convert = f.cast.round == Round::rne ? round_bf16_finite : truncate_bf16_finite;
  for_each_piece(rows, cols, row_granule(f, h, reduction), [&](int64_t r0, int64_t m) {
    if (!y16) {
      quantize_rows(f, h, x, ldx, y + r0 * cols, r0, m, cols, reduction, index_base, g_out);
      return;
    }
    if (try_copy) {
      uint32_t bad = 0;
      for (int64_t r = 0; r < m && bad == 0; ++r)
        bad = convert(x + (r0 + r) * ldx, y16 + (r0 + r) * cols, cols);
      if (bad == 0) return;
    }
    // The piece's fp32 values stay in this thread's cache on their way to bf16.
    thread_local std::vector<float> buf;
    if (buf.size() < static_cast<size_t>(m * cols)) buf.resize(m * cols);
    quantize_rows(f, h, x, ldx, buf.data(), r0, m, cols, reduction, index_base, g_out);
    const uint32_t l = truncate_bf16(buf.data(), y16 + r0 * cols, m * cols);
    if (l) lost.fetch_or(l);
  });
  if (tensor_g) *tensor_g = std::bit_cast<float>(g_bits);  // one piece when it has one
  return lost.load();
}

}  // namespace

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool is_identity(const Format& f) {
  return f.elem.kind == ElemKind::fp32 && !f.scaled();
}

Quantizer::Quantizer(std::string_view format, uint64_t seed, uint32_t stream) : text_(format) {
  Format f = parse_format(format);
  identity_ = is_identity(f);
  bf16_exact_ = format_bf16_exact(f);
  bf16_factored_ = f.tensor_scale && format_bf16_exact_unscaled(f);
  f.cast.seed = mix64(seed ^ mix64(f.cast.seed ^ (uint64_t{f.cast.stream} << 32)));
  f.cast.stream = stream;
  const bool across = f.axis == Axis::col;  // the format asks for blocks across the reduction
  row_ = col_ = f;
  row_.axis = across ? Axis::col : Axis::row;
  col_.axis = across ? Axis::row : Axis::col;
}

bool same_values_any_axis(const Quantizer& a, const Quantizer& b) {
  if (a.identity() || b.identity()) return false;
  Format fa = a.along(Axis::row), fb = b.along(Axis::row);
  if (fa.granularity != Granularity::none && fa.granularity != Granularity::tensor) return false;
  if (fa.cast.round == Round::sr || fa.cast.round == Round::sr_equal) return false;
  fa.axis = fb.axis = Axis::row;
  fa.cast.seed = fb.cast.seed = 0;
  fa.cast.stream = fb.cast.stream = 0;
  return fa == fb;
}

bool same_values_through(const Quantizer& a, const Quantizer& s, const Quantizer& b) {
  if (!same_values_any_axis(a, b)) return false;
  if (s.identity()) return true;
  return same_values_any_axis(a, s) && !a.along(Axis::row).scaled();
}

void quantize_operand(const Format& f, const Hadamard& h, const float* x, int64_t ldx, float* y,
                      int64_t rows, int64_t cols, Axis reduction, uint64_t index_base,
                      float* tensor_g) {
  if (tensor_g) *tensor_g = 1.0f;
  if (rows <= 0 || cols <= 0) return;
  const auto t0 = std::chrono::steady_clock::now();
  run_pieces(f, h, x, ldx, y, nullptr, rows, cols, reduction, index_base, tensor_g);
  count_quantize(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      rows * cols);
}

bool quantize_operand_bf16(const Format& f, const Hadamard& h, const float* x, int64_t ldx,
                           uint16_t* y, int64_t rows, int64_t cols, Axis reduction,
                           uint64_t index_base) {
  if (rows <= 0 || cols <= 0) return true;
  const auto t0 = std::chrono::steady_clock::now();
  const uint32_t lost =
      run_pieces(f, h, x, ldx, nullptr, y, rows, cols, reduction, index_base, nullptr);
  count_quantize(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      rows * cols);
  return lost == 0;
}

namespace {
// The loop of factor_tensor_scale: no early exit, so it vectorises. The count of values that
// do not come back.
template <class Out>
inline __attribute__((always_inline)) uint32_t factor_loop_impl(const float* __restrict v,
                                                                int64_t n, float inv_g, float g,
                                                                Out* __restrict y) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t b = std::bit_cast<uint32_t>(v[i] * inv_g);  // within 2 ulp of v / g
    b = (b + 0x7FFFu + ((b >> 16) & 1u)) & 0xFFFF0000u;  // to bf16, nearest even (finite b)
    const float q = std::bit_cast<float>(b);
    if constexpr (sizeof(Out) == 2)
      y[i] = static_cast<uint16_t>(b >> 16);
    else
      y[i] = q;
    bad += q * g != v[i];
  }
  return bad;
}
LOWP_CLONES uint32_t factor_loop(const float* __restrict v, int64_t n, float inv_g, float g,
                                 float* __restrict y) {
  return factor_loop_impl(v, n, inv_g, g, y);
}
LOWP_CLONES uint32_t factor_loop(const float* __restrict v, int64_t n, float inv_g, float g,
                                 uint16_t* __restrict y) {
  return factor_loop_impl(v, n, inv_g, g, y);
}

template <class Out>
bool factor_chunks(const float* v, int64_t n, float g, Out* y) {
  const auto t0 = std::chrono::steady_clock::now();
  bool ok = std::isnormal(g);
  if (ok) {  // in chunks on the pool: elementwise, so the bits do not depend on the split
    constexpr int64_t kChunk = int64_t{1} << 16;
    std::atomic<uint32_t> bad{0};
    kernels::parallel_for((n + kChunk - 1) / kChunk, [&](int64_t t) {
      const int64_t b = t * kChunk, e = std::min(n, b + kChunk);
      if (factor_loop(v + b, e - b, 1.0f / g, g, y + b) != 0) bad.fetch_add(1);
    });
    ok = bad.load() == 0;
  }
  count_quantize(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      0);
  return ok;
}
}  // namespace

bool factor_tensor_scale(const float* v, int64_t n, float g, float* y) {
  return factor_chunks(v, n, g, y);
}

bool factor_tensor_scale_bf16(const float* v, int64_t n, float g, uint16_t* y) {
  return factor_chunks(v, n, g, y);
}

bool quantize_operand_bf16_factored(const Format& f, const Hadamard& h, const float* x, int64_t ldx,
                                    uint16_t* y, int64_t rows, int64_t cols, Axis reduction,
                                    uint64_t index_base, float* tensor_g) {
  *tensor_g = 1.0f;
  if (rows <= 0 || cols <= 0) return true;
  const auto whole = [&] {  // the fp32 values, then the factor pass
    thread_local std::vector<float> v;
    if (v.size() < static_cast<size_t>(rows * cols)) v.resize(rows * cols);
    quantize_operand(f, h, x, ldx, v.data(), rows, cols, reduction, index_base, tensor_g);
    return factor_tensor_scale_bf16(v.data(), rows * cols, *tensor_g, y);
  };
  if (h.active() || !f.tensor_scale || f.granularity != Granularity::block) return whole();
  // The tensor's amax, as the kernel's own pass would find it (max of |x| bits).
  const auto t0 = std::chrono::steady_clock::now();
  uint32_t amax_bits = 0;
  for (int64_t r = 0; r < rows && ldx != cols; ++r)  // strided: row by row
    amax_bits = std::max(amax_bits, std::bit_cast<uint32_t>(kernels::amax(x + r * ldx, cols)));
  if (ldx == cols) amax_bits = std::bit_cast<uint32_t>(kernels::amax(x, rows * cols));
  if (amax_bits >= 0x7F800000u) return whole();  // inf or NaN: the oracle's cases
  const float amax = std::bit_cast<float>(amax_bits);
  // Pieces of whole scale groups, each quantized with the tensor's amax and factored in cache.
  std::atomic<uint32_t> bad{0}, scalar{0};
  std::atomic<uint32_t> g_bits{std::bit_cast<uint32_t>(1.0f)};
  for_each_piece(rows, cols, group_rows(f), [&](int64_t r0, int64_t m) {
    thread_local std::vector<float> buf;
    if (buf.size() < static_cast<size_t>(m * cols)) buf.resize(m * cols);
    uint32_t gb = 0;
    if (!quantize_rows(f, h, x, ldx, buf.data(), r0, m, cols, reduction, index_base, &gb, &amax))
      return scalar.store(1);
    g_bits.store(gb);  // the same g in every piece: a function of amax alone
    const float g = std::bit_cast<float>(gb);
    if (!std::isnormal(g) || factor_loop(buf.data(), m * cols, 1.0f / g, g, y + r0 * cols) != 0)
      bad.store(1);
  });
  if (scalar.load()) return whole();  // the scalar oracle quantizes whole tensors only
  count_quantize(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      rows * cols);
  *tensor_g = std::bit_cast<float>(g_bits.load());
  return bad.load() == 0;
}

}  // namespace lowp::nn
