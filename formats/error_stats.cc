// Error statistics of one quantization, for `lowp error` and telemetry checks.
#include "formats/error_stats.h"

#include <cmath>
#include <vector>

namespace lowp {

ErrorStats measure_error(const Format& f, const float* x, int64_t rows, int64_t cols) {
  std::vector<float> q(static_cast<size_t>(rows * cols));
  QuantStats qs;
  QuantOut o;
  o.values = q.data();
  o.stats = &qs;
  quantize_tensor(f, x, rows, cols, o);
  ErrorStats s;
  double sum_x2 = 0, sum_e2 = 0, sum_e = 0;
  for (int64_t i = 0; i < rows * cols; ++i) {
    if (!std::isfinite(x[i])) {
      ++s.nonfinite;
      continue;
    }
    if (!std::isfinite(q[i])) {
      ++s.nonfinite_outputs;
      continue;
    }
    const double e = static_cast<double>(q[i]) - x[i];
    sum_x2 += static_cast<double>(x[i]) * x[i];
    sum_e2 += e * e;
    sum_e += e;
    ++s.n;
  }
  if (s.n > 0) {
    s.mse = sum_e2 / s.n;
    s.mean_signed_error = sum_e / s.n;
    s.rel_mse = sum_x2 > 0 ? sum_e2 / sum_x2 : 0;
    s.sqnr_db = sum_e2 > 0 ? 10 * std::log10(sum_x2 / sum_e2) : INFINITY;
  }
  const double total = static_cast<double>(std::max<int64_t>(1, qs.n));
  s.frac_saturated = qs.saturated / total;
  s.frac_flushed = qs.flushed / total;
  return s;
}

}  // namespace lowp
