// Per-group scale selection and the per-element oracle, mirroring formats/scaled.cc exactly.
// Scale selection is inline: it runs once per block (every 16 or 32 elements) in the kernels.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "formats/scaled.h"
#include "util/bits.h"

namespace lowp::kernels {

// How a format's elements meet their scale.
//   none:      unscaled element cast
//   pow2:      power-of-two scale applied exactly inside the encoder (OCP MX)
//   pow2_fp32: power-of-two scale applied by an fp32 multiply first (microxcaling profile)
//   linear:    encode x * enc, decode * s (* g): NVFP4, ue4m3 and fp32 scales
enum class ScaleKind : uint8_t { none, pow2, pow2_fp32, linear };
ScaleKind scale_kind(const Format& f);

// Two-level formats' tensor scales: decode-side g and (TE profile) encode-side ge, with the
// reciprocals the oracle's expressions use.
struct TensorScale {
  float g = 1.0f, ge = 1.0f;
  float inv_g = 1.0f, inv_ge = 1.0f;  // fl32(1 / g), fl32(1 / ge)
};
TensorScale tensor_scale(const Format& f, float amax_t);

// A format's constants for scale selection, computed once per call.
struct ScaleParams {
  const Format* f = nullptr;
  ScaleKind kind = ScaleKind::none;
  ScaleRule rule = ScaleRule::floor;
  bool e8m0 = false;       // pow2 kinds: E8M0 byte codes (else fp32 bits)
  bool ue4m3 = false;      // linear: ue4m3 block scales (else fp32)
  bool te = false;         // linear: TransformerEngine profile
  bool two_level = false;  // linear: per-tensor scale g
  int emax = 0;            // exponent of the element's largest binade
  int top_mbits = 0;       // mantissa bits of that binade (the `even` rule)
  float maxfin = 0;        // the element's max finite value
  float inv_maxfin = 0;    // fl32(1 / maxfin), as the oracle computes it
};
ScaleParams scale_params(const Format& f);

// One group's scale. Invariant: equal to what formats/scaled.cc chooses for the same amax.
struct GroupScale {
  uint32_t code = 0;  // stored scale code (e8m0 / ue4m3 byte, or fp32 bits)
  bool nan = false;   // NaN scale: every element of the group is NaN, codes 0
  int X = 0;          // pow2 kinds: elements encode x * 2^-X and decode * 2^X
  float enc = 1.0f;   // linear kind: elements encode x * enc
  float s = 1.0f;     // linear kind: decode * s
};

// The rules that need log2 or a division (floor_py, rceil); X = 128 means a NaN scale.
int pow2_exponent_slow(const ScaleParams& sp, float amax);

// NVFP4's ue4m3 block scale cast (RNE, saturating) for v in [0, 448], and its decode; the
// oracle's encode/decode restricted to that range (anything else is handed to the oracle).
uint32_t ue4m3_encode_oracle(float v);
inline uint32_t ue4m3_encode(float v) {
  if (!(v >= 0.0f && v <= 448.0f)) return ue4m3_encode_oracle(v);
  const uint32_t b = f2u(v);
  if (b >= 0x3C800000u)  // >= 2^-6: round the fp32 bits to 3 mantissa bits, rebias 127 -> 7
    return ((b + 0x7FFFFu + ((b >> 20) & 1)) >> 20) - (120u << 3);
  return static_cast<uint32_t>(std::nearbyint(v * 512.0f));  // subnormal: multiples of 2^-9
}
inline float ue4m3_decode(uint32_t code) {
  if (code < 8) return static_cast<float>(code) * (1.0f / 512.0f);
  if (code >= 0x7F) return NAN;  // the NaN code (callers never produce larger codes)
  return u2f((((code >> 3) + 120u) << 23) | ((code & 7u) << 20));
}

inline GroupScale group_scale(const ScaleParams& sp, float amax, const TensorScale& t) {
  GroupScale gs;
  if (sp.kind == ScaleKind::pow2 || sp.kind == ScaleKind::pow2_fp32) {
    const uint32_t b = f2u(amax);
    if (b >= 0x7F800000u) {
      gs.X = 128;
    } else {
      const int e = static_cast<int>(b >> 23);
      const int field = e == 0 ? -127 : e - 127;  // 0 and fp32 subnormals count as 2^-127
      switch (sp.rule) {
        case ScaleRule::floor:
          gs.X = field - sp.emax;
          break;
        case ScaleRule::ceil:
          gs.X = field + ((b & 0x7FFFFFu) != 0) - sp.emax;
          break;
        case ScaleRule::even: {
          const int e2 = static_cast<int>((b + (1u << (22 - sp.top_mbits))) >> 23);
          gs.X = (e2 == 0 ? -127 : e2 - 127) - sp.emax;
          break;
        }
        default:
          gs.X = pow2_exponent_slow(sp, amax);
      }
      if (gs.X < -127) gs.X = -127;
      if (gs.X > 127) gs.X = 128;
    }
    gs.nan = gs.X == 128;
    if (sp.e8m0)
      gs.code = gs.nan ? 0xFFu : static_cast<uint32_t>(gs.X + 127);
    else
      gs.code = gs.nan ? 0x7FC00000u : f2u(exp2i(gs.X));
    if (gs.nan) gs.X = 0;
    return gs;
  }
  if (!(f2u(amax) < 0x7F800000u)) {  // inf or NaN (amax is a magnitude)
    gs.nan = true;
    gs.code = sp.ue4m3 ? 0x7Fu : 0x7FC00000u;
    return gs;
  }
  if (!sp.ue4m3) {
    gs.s = amax / sp.maxfin;
    gs.code = f2u(gs.s);
    gs.enc = gs.s == 0.0f ? 0.0f : 1.0f / gs.s;
    return gs;
  }
  if (sp.te) {
    const float v = std::fmin(448.0f, amax * (t.ge * sp.inv_maxfin));
    gs.code = ue4m3_encode(v);
    gs.s = ue4m3_decode(gs.code);
    gs.enc = std::fmin(FLT_MAX, 1.0f / (gs.s * t.inv_ge));
    return gs;
  }
  float v = amax / sp.maxfin;
  if (sp.two_level) v = v / t.g;
  v = std::fmin(std::fmax(v, 0.015625f), 448.0f);  // torchao clamp to [2^-6, 448]
  gs.code = ue4m3_encode(v);
  gs.s = ue4m3_decode(gs.code);
  gs.enc = sp.two_level ? t.inv_g / gs.s : 1.0f / gs.s;
  return gs;
}

// The oracle's result for one element (formats/scaled.cc quantize_tensor's inner loop):
// code, value and CastFlag bits. `co` is the element cast (saturating for scaled formats).
struct ElementResult {
  uint32_t code;
  float value;
  uint8_t flags;
};
ElementResult oracle_element(const Format& f, const CastOptions& co, ScaleKind kind,
                             const GroupScale& gs, const TensorScale& t, float x, uint64_t index);

}  // namespace lowp::kernels
