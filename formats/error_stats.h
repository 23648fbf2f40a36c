// Quantization error of a tensor against its fake-quantized copy: MSE, SQNR, saturation, flushes.
#pragma once

#include <cstdint>

#include "formats/scaled.h"

namespace lowp {

struct ErrorStats {
  int64_t n = 0;          // finite inputs measured
  int64_t nonfinite = 0;  // NaN/inf inputs (excluded from the sums)
  double mse = 0, rel_mse = 0, sqnr_db = 0, mean_signed_error = 0;
  double frac_saturated = 0, frac_flushed = 0;
};

// Quantizes x [rows, cols] with `f` and measures the error (scalar oracle; sums in double).
ErrorStats measure_error(const Format& f, const float* x, int64_t rows, int64_t cols);

}  // namespace lowp
