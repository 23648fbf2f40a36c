// Packing a quantized tensor and reading it back, on top of the scalar oracle.
#include "tensor/quantized.h"

#include <cmath>
#include <cstdio>

#include "formats/scaled.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp {

int64_t checked_numel(const std::vector<int64_t>& shape, const std::string& where) {
  int64_t n = 1, nonzero = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t d = shape[i];
    if (d < 0) fail(where + ": dimension " + std::to_string(i) + " of the shape is negative");
    if (d > 0 && nonzero > kMaxElements / d)
      fail(where + ": the shape has more than 2^60 elements (overflow); the file is damaged");
    if (d > 0) nonzero *= d;
    n *= d;
  }
  return n;
}

int64_t QuantizedTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}
int64_t QuantizedTensor::rows() const {
  return shape.empty() ? 1 : numel() / std::max<int64_t>(1, shape.back());
}
int64_t QuantizedTensor::cols() const {
  return shape.empty() ? 1 : shape.back();
}

QuantizedTensor quantize_to_packed(const Format& f, const float* x,
                                   const std::vector<int64_t>& shape, bool fp6_unpacked,
                                   uint64_t index_base) {
  QuantizedTensor q;
  q.format = f.to_string();
  q.shape = shape;
  q.packing = packing_for(f.elem, fp6_unpacked);
  const int64_t n = q.numel(), rows = q.rows(), cols = q.cols();
  std::vector<uint32_t> codes(static_cast<size_t>(n));
  q.scales.resize(static_cast<size_t>(scale_grid(f, rows, cols).count()));
  q.has_tensor_scale = f.tensor_scale;
  QuantOut out;
  out.codes = codes.data();
  out.scales = q.scales.data();
  out.tensor_scale = &q.tensor_scale;
  quantize_tensor(f, x, rows, cols, out, index_base);
  q.payload.resize(packed_bytes(q.packing, static_cast<size_t>(n)));
  // An empty payload's data() may be null, which pack_codes' memset must not see.
  if (n > 0) pack_codes(q.packing, codes.data(), static_cast<size_t>(n), q.payload.data());
  return q;
}

void validate(const QuantizedTensor& q, const std::string& where) {
  const Format f = parse_format(q.format);
  const size_t n = static_cast<size_t>(checked_numel(q.shape, where));
  if (q.payload.size() != packed_bytes(q.packing, n))
    fail(where + ": payload has " + std::to_string(q.payload.size()) + " bytes, but " +
         std::to_string(n) + " elements packed as " + packing_name(q.packing) + " need " +
         std::to_string(packed_bytes(q.packing, n)));
  const auto want = static_cast<size_t>(scale_grid(f, q.rows(), q.cols()).count());
  if (q.scales.size() != want)
    fail(where + ": " + std::to_string(q.scales.size()) + " scales, but format " + q.format +
         " on this shape needs " + std::to_string(want));
  if (q.has_tensor_scale != f.tensor_scale)
    fail(where + ": tensor scale " + (q.has_tensor_scale ? "present" : "missing") + " for " +
         q.format);
  const Packing p = q.packing;
  if (p != packing_for(f.elem, false) && p != packing_for(f.elem, true))
    fail(where + ": packing " + packing_name(p) + " does not fit format " + q.format);
  const float g = u2f(q.tensor_scale);
  if (q.has_tensor_scale && !(std::isfinite(g) && g > 0)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", static_cast<double>(g));
    fail(where + ": tensor 'tensor_scale' holds " + text +
         "; the tensor scale of a two-level format must be a positive finite number");
  }
}

std::vector<float> dequantize_packed(const QuantizedTensor& q) {
  validate(q, "quantized tensor");
  const Format f = parse_format(q.format);
  const size_t n = static_cast<size_t>(q.numel());
  std::vector<uint32_t> codes(n);
  if (n > 0) unpack_codes(q.packing, q.payload.data(), n, codes.data());
  std::vector<float> values(n);
  dequantize_tensor(f, codes.data(), q.scales.data(), q.tensor_scale, q.rows(), q.cols(),
                    values.data());
  return values;
}

}  // namespace lowp
