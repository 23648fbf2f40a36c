// Quantization error of a tensor against its fake-quantized copy: MSE, SQNR, saturation, flushes.
#pragma once

#include <cstdint>

#include "formats/scaled.h"

namespace lowp {

// The error figures cover the elements whose input and quantized value are both finite (the
// rule of kernels::quant_error): an inf or NaN has no finite error, and one such term would
// turn every figure into inf or NaN. What is left out is counted.
struct ErrorStats {
  int64_t n = 0;                  // elements measured: finite input, finite quantized value
  int64_t nonfinite = 0;          // NaN/inf inputs (excluded)
  int64_t nonfinite_outputs = 0;  // finite inputs quantized to inf/NaN (excluded): overflow
                                  // without saturation, or a block scaled by an inf/NaN
  double mse = 0, rel_mse = 0, sqnr_db = 0, mean_signed_error = 0;  // 0 when n = 0
  double frac_saturated = 0, frac_flushed = 0;
};

// Quantizes x [rows, cols] with `f` and measures the error (scalar oracle; sums in double).
ErrorStats measure_error(const Format& f, const float* x, int64_t rows, int64_t cols);

}  // namespace lowp
