// Scalar per-group scale selection and the per-element oracle, mirroring formats/scaled.cc.
#pragma once

#include <cstdint>

#include "formats/scaled.h"

namespace lowp::kernels {

// How a format's elements meet their scale.
//   none:      unscaled element cast
//   pow2:      power-of-two scale applied exactly inside the encoder (OCP MX)
//   pow2_fp32: power-of-two scale applied by an fp32 multiply first (microxcaling profile)
//   linear:    encode x * enc, decode * s (* g): NVFP4, ue4m3 and fp32 scales
enum class ScaleKind : uint8_t { none, pow2, pow2_fp32, linear };
ScaleKind scale_kind(const Format& f);

// Two-level formats' tensor scales: decode-side g and (TE profile) encode-side ge.
struct TensorScale {
  float g = 1.0f, ge = 1.0f;
};
TensorScale tensor_scale(const Format& f, float amax_t);

// One group's scale. Invariant: equal to what formats/scaled.cc chooses for the same amax.
struct GroupScale {
  uint32_t code = 0;  // stored scale code (e8m0 / ue4m3 byte, or fp32 bits)
  bool nan = false;   // NaN scale: every element of the group is NaN, codes 0
  int X = 0;          // pow2 kinds: elements encode x * 2^-X and decode * 2^X
  float enc = 1.0f;   // linear kind: elements encode x * enc
  float s = 1.0f;     // linear kind: decode * s
};
GroupScale group_scale(const Format& f, ScaleKind kind, float amax, const TensorScale& t);

// NVFP4's ue4m3 block scale cast (RNE, saturating) for v in [0, 448], and its decode;
// exact equivalents of the oracle's encode/decode for that range, without its generality.
uint32_t ue4m3_encode(float v);
float ue4m3_decode(uint32_t code);

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
