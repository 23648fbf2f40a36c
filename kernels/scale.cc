// Scale selection per group and the per-element oracle, mirroring formats/scaled.cc.
#include "kernels/scale.h"

#include <cfloat>
#include <cmath>

#include "util/bits.h"
#include "util/error.h"

namespace lowp::kernels {
namespace {

constexpr uint32_t kNanBits = 0x7FC00000u;

const ElementFormat& ue4m3() {
  static const ElementFormat s = make_unsigned(make_minifloat(4, 3, Specials::fn));
  return s;
}

int top_mbits(const ElementFormat& e) {
  return e.kind == ElemKind::integer ? e.bits - 2 : e.mbits;
}

// formats.md 4.1: the unbiased power-of-two exponent X of a finite amax, 128 for NaN.
int pow2_exponent(const Format& f, float amax) {
  const uint32_t b = f2u(amax);
  const int emax = f.elem.emax();
  const auto field = [](uint32_t bits) {
    const int e = static_cast<int>((bits >> 23) & 0xFF);
    return e == 0 ? -127 : e - 127;
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
      const float l =
          static_cast<float>(std::log2(static_cast<double>(amax == 0 ? FLT_MIN : amax)));
      X = static_cast<int>(std::floor(l)) - emax;
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

}  // namespace

ScaleKind scale_kind(const Format& f) {
  if (!f.scaled()) return ScaleKind::none;
  if (f.scale == ScaleType::e8m0 || f.scale == ScaleType::pow2)
    return f.cast.profile == Profile::microxcaling ? ScaleKind::pow2_fp32 : ScaleKind::pow2;
  return ScaleKind::linear;
}

TensorScale tensor_scale(const Format& f, float amax_t) {
  TensorScale t;
  if (!f.tensor_scale) return t;
  const float denom = f.elem.max_finite() * ue4m3().max_finite();
  if (f.cast.profile == Profile::te) {
    t.ge = (amax_t == 0.0f || std::isnan(amax_t)) ? 1.0f : std::fmin(FLT_MAX, denom / amax_t);
    t.g = 1.0f / t.ge;
  } else {
    t.g = amax_t / denom;
    if (t.g == 0.0f || !std::isfinite(t.g)) t.g = 1.0f;
  }
  return t;
}

uint32_t ue4m3_encode(float v) {
  if (!(v >= 0.0f && v <= 448.0f)) {  // outside the callers' range: the general oracle
    CastOptions sc;
    sc.saturate = true;
    return encode(ue4m3(), v, sc);
  }
  const uint32_t b = f2u(v);
  if (b >= 0x3C800000u)  // >= 2^-6: round the fp32 bits to 3 mantissa bits, rebias 127 -> 7
    return ((b + 0x7FFFFu + ((b >> 20) & 1)) >> 20) - (120u << 3);
  return static_cast<uint32_t>(std::nearbyint(v * 512.0f));  // subnormal: multiples of 2^-9
}

float ue4m3_decode(uint32_t code) {
  if (code < 8) return static_cast<float>(code) * (1.0f / 512.0f);
  if (code == 0x7F) return decode(ue4m3(), code);
  return u2f((((code >> 3) + 120u) << 23) | ((code & 7u) << 20));
}

GroupScale group_scale(const Format& f, ScaleKind kind, float amax, const TensorScale& t) {
  GroupScale gs;
  if (kind == ScaleKind::pow2 || kind == ScaleKind::pow2_fp32) {
    gs.X = std::isfinite(amax) ? pow2_exponent(f, amax) : 128;
    gs.nan = gs.X == 128;
    if (f.scale == ScaleType::e8m0)
      gs.code = gs.nan ? 0xFFu : static_cast<uint32_t>(gs.X + 127);
    else
      gs.code = gs.nan ? kNanBits : f2u(exp2i(gs.X));
    if (gs.nan) gs.X = 0;
    return gs;
  }
  if (!std::isfinite(amax)) {
    gs.nan = true;
    gs.code = f.scale == ScaleType::ue4m3 ? ue4m3().nan_code : kNanBits;
    return gs;
  }
  const float maxfin = f.elem.max_finite();
  if (f.scale == ScaleType::fp32) {
    gs.s = amax / maxfin;
    gs.code = f2u(gs.s);
    gs.enc = gs.s == 0.0f ? 0.0f : 1.0f / gs.s;
    return gs;
  }
  if (f.cast.profile == Profile::te) {
    const float v = std::fmin(448.0f, amax * (t.ge * (1.0f / maxfin)));
    gs.code = ue4m3_encode(v);
    gs.s = ue4m3_decode(gs.code);
    gs.enc = std::fmin(FLT_MAX, 1.0f / (gs.s * (1.0f / t.ge)));
    return gs;
  }
  float v = amax / maxfin;
  if (f.tensor_scale) v = v / t.g;
  v = std::fmin(std::fmax(v, 0.015625f), 448.0f);  // torchao clamp to [2^-6, 448]
  gs.code = ue4m3_encode(v);
  gs.s = ue4m3_decode(gs.code);
  gs.enc = f.tensor_scale ? (1.0f / t.g) / gs.s : 1.0f / gs.s;
  return gs;
}

ElementResult oracle_element(const Format& f, const CastOptions& co, ScaleKind kind,
                             const GroupScale& gs, const TensorScale& t, float x, uint64_t index) {
  ElementResult r{0, NAN, 0};
  if (kind == ScaleKind::none) {
    r.code = encode(f.elem, x, co, index, &r.flags);
    r.value = (co.profile == Profile::microxcaling && std::isinf(x)) ? x : decode(f.elem, r.code);
    return r;
  }
  if (gs.nan) return r;
  if (kind == ScaleKind::linear) {
    r.code = encode(f.elem, x * gs.enc, co, index, &r.flags);
    r.value = decode(f.elem, r.code) * gs.s;
    if (f.tensor_scale) r.value *= t.g;
  } else {
    const bool fp32_path = kind == ScaleKind::pow2_fp32;
    r.code = fp32_path ? encode(f.elem, x * exp2i(-gs.X), co, index, &r.flags)
                       : encode_scaled(f.elem, x, -gs.X, co, index, &r.flags);
    r.value = static_cast<float>(std::ldexp(static_cast<double>(decode(f.elem, r.code)), gs.X));
  }
  if (r.code == 0 && f.elem.kind == ElemKind::integer &&
      !(kind == ScaleKind::pow2_fp32 && x * exp2i(-gs.X) == 0.0f))
    r.value = std::copysign(0.0f, x);
  return r;
}

}  // namespace lowp::kernels
