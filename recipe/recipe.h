// A recipe: the precision policy of a training run, as data keyed by frozen slot names.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lowp {

// Frozen slot names (a serialization contract: results stores and recipe files use them).
// GEMM operand slots of every linear layer, Y = X W^T, dX = dY W, dW = dY^T X:
inline constexpr const char* kLinearSlots[] = {"fwd.x",   "fwd.w",    "dgrad.dy",
                                               "dgrad.w", "wgrad.dy", "wgrad.x"};
// Attention GEMMs S = Q K^T and O = P V, with their backward GEMMs' operands:
inline constexpr const char* kAttentionSlots[] = {
    "attn.q",  "attn.k", "attn.p", "attn.v",  // forward operands
    "attn.dO", "attn.dS"                      // backward: dO (for dP, dV), dS (for dQ, dK)
};
// Other tensors a recipe may cover:
inline constexpr const char* kOtherSlots[] = {
    "norm.x",     // norm inputs
    "norm.w",     // norm affine parameters
    "act.saved",  // activations saved for backward
    "embed",      // embedding table
    "head",       // output head GEMM operands (when untied)
    "master",     // master weights (optimizer copy)
    "adam.m",     // optimizer first moment
    "adam.v",     // optimizer second moment
    "grad",       // parameter gradients
};

// Per-GEMM Hadamard transform applied to both operands along the reduction axis (it cancels).
struct Transform {
  int hadamard = 0;           // block size (16, 32, 64, 128); 0 = none
  bool random_signs = false;  // random diagonal signs from the counter-based generator
  bool new_signs_each_step = false;
  bool operator==(const Transform&) const = default;
};

// Overrides apply to layers whose name matches `layer` (exact, or a prefix ending in '*').
struct SlotOverride {
  std::string layer;
  std::string slot;
  std::string format;
};

struct Recipe {
  std::string name = "fp32";
  std::map<std::string, std::string> slots;     // slot -> format string (grammar of formats/)
  std::map<std::string, Transform> transforms;  // GEMM name ("fwd", "dgrad", "wgrad") -> transform
  std::vector<SlotOverride> overrides;
  std::map<std::string, std::string> options;  // recipe switches (e.g. "ln_high_precision")

  // The format string for (layer, slot): the last matching override, else the slot's default,
  // else "fp32" (no quantization).
  std::string format_for(std::string_view layer, std::string_view slot) const {
    std::string out;
    if (auto it = slots.find(std::string(slot)); it != slots.end()) out = it->second;
    for (const auto& o : overrides) {
      if (o.slot != slot) continue;
      const bool prefix = !o.layer.empty() && o.layer.back() == '*';
      const std::string_view stem = prefix ? std::string_view(o.layer).substr(0, o.layer.size() - 1)
                                           : std::string_view(o.layer);
      if (prefix ? layer.substr(0, stem.size()) == stem : layer == stem) out = o.format;
    }
    return out.empty() ? "fp32" : out;
  }
};

}  // namespace lowp
