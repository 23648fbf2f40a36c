// Parameter storage and the norm / saved-activation quantizers of the models.
#include "models/common.h"

#include <cstring>

#include "util/error.h"

namespace lowp::models {

size_t ParamStore::declare(std::string name, std::vector<int64_t> shape) {
  Param p;
  p.name = std::move(name);
  p.size = 1;
  for (int64_t d : shape) p.size *= d;
  p.shape = std::move(shape);
  params_.push_back(std::move(p));
  return params_.size() - 1;
}

void ParamStore::allocate() {
  size_t total = 0;
  for (const Param& p : params_) total += p.size;
  values_.assign(total, 0.0f);
  grads_.assign(total, 0.0f);
  size_t at = 0;
  for (Param& p : params_) {
    p.value = values_.data() + at;
    p.grad = grads_.data() + at;
    at += p.size;
  }
}

const float* NormQuant::input(const float* t, int64_t rows, int64_t cols, uint64_t step,
                              std::vector<float>& buf) const {
  if (x.identity()) return t;
  float* out = grow(buf, rows * cols);
  nn::quantize_operand(x.along(Axis::row), {}, t, cols, out, rows, cols, Axis::row,
                       nn::step_index_base(step));
  return out;
}

const float* NormQuant::param(const float* t, int64_t n, uint64_t step,
                              std::vector<float>& buf) const {
  if (w.identity()) return t;
  float* out = grow(buf, n);
  nn::quantize_operand(w.along(Axis::row), {}, t, n, out, 1, n, Axis::row,
                       nn::step_index_base(step));
  return out;
}

NormQuant make_norm_quant(const Recipe& r, const std::string& layer, nn::Streams& streams) {
  const auto it = r.options.find("ln_high_precision");
  const bool high = it != r.options.end() && it->second == "true";
  auto quantizer = [&](const char* slot) {
    try {
      return nn::Quantizer(high ? "fp32" : r.format_for(layer, slot), streams.seed, streams.take());
    } catch (const Error& e) {
      fail("layer " + layer + ", slot " + slot + ": " + e.what());
    }
  };
  NormQuant q;
  q.x = quantizer("norm.x");
  q.w = quantizer("norm.w");
  return q;
}

void SavedQuant::apply(size_t i, float* t, int64_t rows, int64_t cols, uint64_t step) const {
  if (q[i].identity()) return;
  // In place: the oracle reads each scale group before writing it.
  nn::quantize_operand(q[i].along(Axis::row), {}, t, cols, t, rows, cols, Axis::row,
                       nn::step_index_base(step));
}

SavedQuant make_saved_quant(const Recipe& r, const std::string& layer, size_t tensors,
                            nn::Streams& streams) {
  SavedQuant s;
  const std::string format = r.format_for(layer, "act.saved");
  for (size_t i = 0; i < tensors; ++i) {
    try {
      s.q.emplace_back(format, streams.seed, streams.take());
    } catch (const Error& e) {
      fail("layer " + layer + ", slot act.saved: " + e.what());
    }
  }
  return s;
}

void zero(float* x, int64_t n) {
  std::memset(x, 0, sizeof(float) * n);
}

}  // namespace lowp::models
