// Rounds a parameter-shaped fp32 tensor onto a recipe slot's format, with stochastic rounding
// keyed so that neither resume nor thread count can change a bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/format.h"

namespace lowp {

struct Recipe;
struct Param;

class TensorQuantizer {
 public:
  // The format recipe.format_for(param.name, slot). Stochastic rounding draws from
  // (seed, stream, index): seed = the format's seed= if given, else `run_seed`; stream = a
  // hash of "tag/param name" (stable across parameter order; tag defaults to the slot);
  // index = step * size + element.
  TensorQuantizer(const Recipe& recipe, const std::string& slot, const Param& param,
                  uint64_t run_seed, const std::string& tag = "");

  // True when the format is fp32 itself (apply() would be the identity).
  bool identity() const { return identity_; }
  const Format& format() const { return format_; }
  // Rounds x[0, size) in place for optimizer step `step`. Element-wise formats are split into
  // chunks run on the thread pool; scaled formats run as one tensor (their groups may span
  // rows).
  void apply(float* x, uint64_t step) const;

 private:
  Format format_;
  bool identity_ = true;
  int64_t rows_ = 1, cols_ = 1;
};

// FNV-1a of the text, the per-tensor stream id.
uint32_t stream_id(const std::string& text);

}  // namespace lowp
