// Named sizes of the `lm` model and the resolution of a ModelConfig into explicit dimensions.
#pragma once

#include <string>
#include <vector>

#include "models/model.h"

namespace lowp::models {

// One rung of the lm size ladder (see models/README.md).
struct NamedSize {
  const char* name;
  int layers, d_model, heads, ffn, seq;
};
const std::vector<NamedSize>& lm_sizes();

// The SwiGLU hidden size matching a 4x GELU MLP's parameters: 8 d / 3 rounded up to 64.
int default_ffn(int d_model);

// `cfg` with a named size expanded (it sets layers, d_model, heads, ffn and seq) and defaults
// filled (ffn 0 -> default_ffn); throws lowp::Error naming the bad field and what is valid.
ModelConfig resolve(const ModelConfig& cfg);

}  // namespace lowp::models
