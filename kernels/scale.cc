// Scale selection per group and the per-element oracle, mirroring formats/scaled.cc.
#include "kernels/scale.h"

#include <cfloat>
#include <cmath>
#include <string>

#include "util/bits.h"
#include "util/error.h"

namespace lowp::kernels {
namespace {

const ElementFormat& ue4m3() {
  static const ElementFormat s = make_unsigned(make_minifloat(4, 3, Specials::fn));
  return s;
}

int top_mbits(const ElementFormat& e) {
  return e.kind == ElemKind::integer ? e.bits - 2 : e.mbits;
}

}  // namespace

int pow2_exponent_slow(const ScaleParams& sp, float amax) {
  int X = 0;
  if (sp.rule == ScaleRule::floor_py) {
    // microxcaling: floor(log2(amax)) evaluated in fp32 (log2 of 0 uses FLT_MIN).
    X = floor_log2_fp32(amax == 0 ? FLT_MIN : amax) - sp.emax;
  } else if (sp.rule == ScaleRule::rceil) {
    const float d = amax * sp.inv_maxfin;
    const uint32_t db = f2u(d);
    if (!std::isfinite(d)) return 128;
    const int E = static_cast<int>(db >> 23);
    const int S = E != 0 ? E + ((db & 0x7FFFFFu) != 0) : ((db & 0x7FFFFFu) > 0x400000u);
    return S >= 255 ? 128 : S - 127;
  } else {
    fail(std::string("internal: scale rule ") + scale_rule_name(sp.rule) +
         " on a power-of-two scale");
  }
  return X;
}

ScaleParams scale_params(const Format& f) {
  ScaleParams sp;
  sp.f = &f;
  sp.kind = scale_kind(f);
  sp.rule = f.rule;
  sp.e8m0 = f.scale == ScaleType::e8m0;
  sp.ue4m3 = f.scale == ScaleType::ue4m3;
  sp.te = f.cast.profile == Profile::te;
  sp.two_level = f.tensor_scale;
  if (f.elem.kind == ElemKind::minifloat || f.elem.kind == ElemKind::integer) {
    sp.maxfin = f.elem.max_finite();
    sp.inv_maxfin = 1.0f / sp.maxfin;
    sp.emax = f.elem.emax();
    sp.top_mbits = top_mbits(f.elem);
  }
  return sp;
}

ScaleKind scale_kind(const Format& f) {
  if (!f.scaled()) return ScaleKind::none;
  if (f.scale == ScaleType::e8m0 || f.scale == ScaleType::pow2)
    return f.cast.profile == Profile::microxcaling ? ScaleKind::pow2_fp32 : ScaleKind::pow2;
  return ScaleKind::linear;
}

TensorScale tensor_scale(const Format& f, float amax_t) {
  TensorScale t;
  if (f.tensor_scale) {
    const float denom = f.elem.max_finite() * ue4m3().max_finite();
    if (f.cast.profile == Profile::te) {
      t.ge = (amax_t == 0.0f || std::isnan(amax_t)) ? 1.0f : std::fmin(FLT_MAX, denom / amax_t);
      t.g = 1.0f / t.ge;
    } else {
      t.g = amax_t / denom;
      if (t.g == 0.0f || !std::isfinite(t.g)) t.g = 1.0f;
    }
  }
  t.inv_g = 1.0f / t.g;
  t.inv_ge = 1.0f / t.ge;
  return t;
}

uint32_t ue4m3_encode_oracle(float v) {
  CastOptions sc;
  sc.saturate = true;
  return encode(ue4m3(), v, sc);
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
