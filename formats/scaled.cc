// Scalar oracle of block scaling: scale choice per group, element encoding, dequantization.
#include "formats/scaled.h"

#include <cfloat>
#include <cmath>

#include "util/bits.h"
#include "util/error.h"

namespace lowp {
namespace {

constexpr uint32_t kNanBits = 0x7FC00000u;

bool pow2_scale(const Format& f) {
  return f.scale == ScaleType::e8m0 || f.scale == ScaleType::pow2;
}

const ElementFormat& ue4m3() {
  static const ElementFormat s = make_unsigned(make_minifloat(4, 3, Specials::fn));
  return s;
}

// Mantissa bits of the element's top binade (integers: bits below the leading one of max).
int top_mbits(const ElementFormat& e) {
  return e.kind == ElemKind::integer ? e.bits - 2 : e.mbits;
}

// NaN-propagating max of |x| over a rectangle.
float group_amax(const float* x, int64_t cols, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  float m = 0.0f;
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; ++c) {
      const float a = std::fabs(x[r * cols + c]);
      if (std::isnan(a)) return a;
      if (a > m) m = a;
    }
  return m;
}

// The unbiased power-of-two scale exponent X of a finite amax (formats.md 4.1), or 128 for NaN.
int pow2_exponent(const Format& f, float amax) {
  const uint32_t b = f2u(amax);
  const int emax = f.elem.emax();
  const auto field = [](uint32_t bits) {
    const int e = static_cast<int>((bits >> 23) & 0xFF);
    return e == 0 ? -127 : e - 127;  // 0 and fp32 subnormals count as 2^-127
  };
  int X = 0;
  switch (f.rule) {
    case ScaleRule::floor:
      X = field(b) - emax;
      break;
    case ScaleRule::ceil:
      X = field(b) + ((b & 0x7FFFFFu) != 0) - emax;
      break;
    case ScaleRule::even:
      X = field(b + (1u << (22 - top_mbits(f.elem)))) - emax;
      break;
    case ScaleRule::floor_py: {
      // microxcaling: floor(log2(amax)) evaluated in fp32 (log2 of 0 uses FLT_MIN).
      X = floor_log2_fp32(amax == 0 ? FLT_MIN : amax) - emax;
      break;
    }
    case ScaleRule::rceil: {
      const float d = amax * (1.0f / f.elem.max_finite());
      const uint32_t db = f2u(d);
      if (!std::isfinite(d)) return 128;
      const int E = static_cast<int>(db >> 23);
      const int S = E != 0 ? E + ((db & 0x7FFFFFu) != 0) : ((db & 0x7FFFFFu) > 0x400000u);
      return S >= 255 ? 128 : S - 127;
    }
    case ScaleRule::amax:
      fail("internal: amax rule on a power-of-two scale");
  }
  if (X < -127) X = -127;
  return X > 127 ? 128 : X;
}

// Non-power-of-two scale state of one group: stored code, decode scale s, encode multiplier.
struct LinearScale {
  uint32_t code;
  float s;    // decoded block scale
  float enc;  // elements are encoded from x * enc
  bool nan;
};

// NVFP4 and generic amax-rule scales. `g` is the decode-side tensor scale (1 if single level),
// `ge` the TE profile's encode-side tensor scale.
LinearScale linear_scale(const Format& f, float amax, float g, float ge) {
  if (!std::isfinite(amax))
    return {f.scale == ScaleType::ue4m3 ? ue4m3().nan_code : kNanBits, NAN, NAN, true};
  const float maxfin = f.elem.max_finite();
  if (f.scale == ScaleType::fp32) {
    const float s = amax / maxfin;
    return {f2u(s), s, s == 0.0f ? 0.0f : 1.0f / s, false};
  }
  CastOptions sc;  // ue4m3 scales round to nearest even
  sc.saturate = true;
  if (f.cast.profile == Profile::te) {
    const float v = std::fmin(448.0f, amax * (ge * (1.0f / maxfin)));
    const uint32_t code = encode(ue4m3(), v, sc);
    const float s = decode(ue4m3(), code);
    const float enc = std::fmin(FLT_MAX, 1.0f / (s * (1.0f / ge)));
    return {code, s, enc, false};
  }
  float v = amax / maxfin;
  if (f.tensor_scale) v = v / g;
  v = std::fmin(std::fmax(v, ue4m3().min_normal()), 448.0f);  // torchao clamp
  const uint32_t code = encode(ue4m3(), v, sc);
  const float s = decode(ue4m3(), code);
  const float enc = f.tensor_scale ? (1.0f / g) / s : 1.0f / s;
  return {code, s, enc, false};
}

}  // namespace

void QuantStats::add(uint8_t flags) {
  ++n;
  saturated += (flags & kSaturated) != 0;
  flushed += (flags & kFlushed) != 0;
  nan_mapped += (flags & kNanMapped) != 0;
  overflowed += (flags & kOverflowed) != 0;
}

ScaleGrid scale_grid(const Format& f, int64_t rows, int64_t cols) {
  ScaleGrid g;
  switch (f.granularity) {
    case Granularity::none:
      g.group_rows = g.group_cols = 1;
      break;
    case Granularity::tensor:
      g.group_rows = rows;
      g.group_cols = cols;
      break;
    case Granularity::channel:
      if (f.axis == Axis::row)
        g.group_cols = cols;
      else
        g.group_rows = rows;
      break;
    case Granularity::block:
      if (f.tile_rows > 0) {
        g.group_rows = f.tile_rows;
        g.group_cols = f.block;
      } else if (f.axis == Axis::row) {
        g.group_cols = f.block;
      } else {
        g.group_rows = f.block;
      }
      break;
  }
  if (g.group_rows < 1) g.group_rows = 1;
  if (g.group_cols < 1) g.group_cols = 1;
  g.grid_rows = rows == 0 ? 0 : (rows + g.group_rows - 1) / g.group_rows;
  g.grid_cols = cols == 0 ? 0 : (cols + g.group_cols - 1) / g.group_cols;
  if (f.granularity == Granularity::none) g.grid_rows = g.grid_cols = 0;  // no scales
  return g;
}

float decode_scale(const Format& f, uint32_t code) {
  switch (f.scale) {
    case ScaleType::e8m0:
      return decode(make_e8m0(), code);
    case ScaleType::ue4m3:
      return decode(ue4m3(), code);
    case ScaleType::fp32:
    case ScaleType::pow2:
      return u2f(code);
    case ScaleType::none:
      return 1.0f;
  }
  return 1.0f;
}

bool is_nan_scale(const Format& f, uint32_t code) {
  return std::isnan(decode_scale(f, code));
}

// Tensor-scale pair for two-level formats: decode-side g and (TE) encode-side ge.
static void tensor_scales(const Format& f, const float* x, int64_t n, float* g, float* ge) {
  *g = 1.0f;
  *ge = 1.0f;
  if (!f.tensor_scale) return;
  const float amax_t = group_amax(x, n, 0, 1, 0, n);
  const float denom = f.elem.max_finite() * ue4m3().max_finite();  // 2688 for NVFP4
  if (f.cast.profile == Profile::te) {
    *ge = (amax_t == 0.0f || std::isnan(amax_t)) ? 1.0f : std::fmin(FLT_MAX, denom / amax_t);
    *g = 1.0f / *ge;
  } else {
    *g = amax_t / denom;
    if (*g == 0.0f || !std::isfinite(*g)) *g = 1.0f;  // all-zero or non-finite tensor: unit scale
  }
}

void quantize_tensor(const Format& f, const float* x, int64_t rows, int64_t cols,
                     const QuantOut& out, uint64_t index_base) {
  if (!f.scaled()) {
    for (int64_t i = 0; i < rows * cols; ++i) {
      uint8_t fl = 0;
      const uint32_t c = encode(f.elem, x[i], f.cast, index_base + i, &fl);
      if (out.codes) out.codes[i] = c;
      if (out.values)
        out.values[i] = (f.cast.profile == Profile::microxcaling && std::isinf(x[i]))
                            ? x[i]
                            : decode(f.elem, c);
      if (out.stats) out.stats->add(fl);
    }
    return;
  }
  const ScaleGrid grid = scale_grid(f, rows, cols);
  float g, ge;
  tensor_scales(f, x, rows * cols, &g, &ge);
  if (out.tensor_scale && f.tensor_scale) *out.tensor_scale = f2u(g);
  CastOptions co = f.cast;
  co.saturate = true;  // block-scaled elements always saturate finite overflow
  const bool mx_fp32_path = f.cast.profile == Profile::microxcaling;
  for (int64_t gr = 0; gr < grid.grid_rows; ++gr) {
    for (int64_t gc = 0; gc < grid.grid_cols; ++gc) {
      const int64_t r0 = gr * grid.group_rows, r1 = std::min(rows, r0 + grid.group_rows);
      const int64_t c0 = gc * grid.group_cols, c1 = std::min(cols, c0 + grid.group_cols);
      const float amax = group_amax(x, cols, r0, r1, c0, c1);
      uint32_t scode;
      bool nan_block;
      int X = 0;
      LinearScale ls{};
      if (pow2_scale(f)) {
        X = std::isfinite(amax) ? pow2_exponent(f, amax) : 128;
        nan_block = X == 128;
        scode = f.scale == ScaleType::e8m0 ? (nan_block ? 0xFFu : static_cast<uint32_t>(X + 127))
                                           : (nan_block ? kNanBits : f2u(exp2i(X)));
      } else {
        ls = linear_scale(f, amax, g, ge);
        nan_block = ls.nan;
        scode = ls.code;
      }
      if (out.scales) out.scales[gr * grid.grid_cols + gc] = scode;
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) {
          const int64_t i = r * cols + c;
          uint8_t fl = 0;
          uint32_t q = 0;
          float v = NAN;
          if (!nan_block) {
            if (!pow2_scale(f)) {
              q = encode(f.elem, x[i] * ls.enc, co, index_base + i, &fl);
              v = decode(f.elem, q) * ls.s;
              if (f.tensor_scale) v *= g;
            } else {
              // microxcaling divides in fp32 first; the exact rule scales inside the encoder.
              q = mx_fp32_path ? encode(f.elem, x[i] * exp2i(-X), co, index_base + i, &fl)
                               : encode_scaled(f.elem, x[i], -X, co, index_base + i, &fl);
              v = static_cast<float>(std::ldexp(static_cast<double>(decode(f.elem, q)), X));
            }
            // Integer codes have no -0, but the value keeps the input's sign (as k/64 * x's sign).
            // (microxcaling: a value whose fp32 scaling underflowed to zero gives +0).
            if (q == 0 && f.elem.kind == ElemKind::integer &&
                !(mx_fp32_path && x[i] * exp2i(-X) == 0.0f))
              v = std::copysign(0.0f, x[i]);
          }
          if (out.codes) out.codes[i] = q;
          if (out.values) out.values[i] = v;
          if (out.stats) out.stats->add(fl);
        }
      }
    }
  }
}

void fake_quantize(const Format& f, const float* x, float* y, int64_t rows, int64_t cols,
                   uint64_t index_base) {
  // In place is safe: the tensor scale is read before any write, and every group reads its
  // own elements before overwriting them.
  QuantOut o;
  o.values = y;
  quantize_tensor(f, x, rows, cols, o, index_base);
}

void dequantize_tensor(const Format& f, const uint32_t* codes, const uint32_t* scales,
                       uint32_t tensor_scale_bits, int64_t rows, int64_t cols, float* values) {
  if (!f.scaled()) {
    for (int64_t i = 0; i < rows * cols; ++i) values[i] = decode(f.elem, codes[i]);
    return;
  }
  const ScaleGrid grid = scale_grid(f, rows, cols);
  const float g = f.tensor_scale ? u2f(tensor_scale_bits) : 1.0f;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const uint32_t sc = scales[(r / grid.group_rows) * grid.grid_cols + c / grid.group_cols];
      const int64_t i = r * cols + c;
      if (is_nan_scale(f, sc)) {
        values[i] = NAN;
      } else if (pow2_scale(f)) {
        const int X = f.scale == ScaleType::e8m0 ? static_cast<int>(sc) - 127 : std::ilogb(u2f(sc));
        values[i] =
            static_cast<float>(std::ldexp(static_cast<double>(decode(f.elem, codes[i])), X));
      } else {
        float v = decode(f.elem, codes[i]) * decode_scale(f, sc);
        if (f.tensor_scale) v *= g;
        values[i] = v;
      }
    }
  }
}

}  // namespace lowp
