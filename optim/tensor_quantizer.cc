// TensorQuantizer: recipe slot -> format, shape -> (rows, cols), and the keyed rounding call.
#include "optim/tensor_quantizer.h"

#include <algorithm>

#include "formats/scaled.h"
#include "kernels/parallel.h"
#include "models/model.h"
#include "recipe/recipe.h"
#include "util/error.h"

namespace lowp {
namespace {
constexpr int64_t kChunk = 1 << 14;  // elements per work item of element-wise rounding
}

uint32_t stream_id(const std::string& text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) h = (h ^ c) * 16777619u;
  return h;
}

TensorQuantizer::TensorQuantizer(const Recipe& recipe, const std::string& slot, const Param& param,
                                 uint64_t run_seed, const std::string& tag) {
  const std::string text = recipe.format_for(param.name, slot);
  try {
    format_ = parse_format(text);
  } catch (const Error& e) {
    fail("recipe " + recipe.name + ": slot " + slot + " of " + param.name + ": " + e.what());
  }
  identity_ = format_.elem.kind == ElemKind::fp32 && !format_.scaled();
  if (format_.cast.seed == 0) format_.cast.seed = run_seed;
  format_.cast.stream = stream_id((tag.empty() ? slot : tag) + "/" + param.name);
  // Row-major [rows, cols]: the last axis is the row; 1-D tensors are one row.
  cols_ = param.shape.empty() ? param.size : param.shape.back();
  rows_ = cols_ > 0 ? param.size / cols_ : 0;
  if (rows_ * cols_ != param.size)
    fail("parameter " + param.name + ": shape does not multiply to its size " +
         std::to_string(param.size));
}

void TensorQuantizer::apply(float* x, uint64_t step) const {
  if (identity_) return;
  const int64_t n = rows_ * cols_;
  const uint64_t base = step * static_cast<uint64_t>(n);
  if (format_.scaled()) {
    fake_quantize(format_, x, x, rows_, cols_, base);
    return;
  }
  kernels::parallel_for((n + kChunk - 1) / kChunk, [&](int64_t i) {
    const int64_t b = i * kChunk, e = std::min(n, b + kChunk);
    fake_quantize(format_, x + b, x + b, 1, e - b, base + static_cast<uint64_t>(b));
  });
}

}  // namespace lowp
