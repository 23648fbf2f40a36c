// Uncertainty by bootstrap over whole (N, D) cells: percentile 95% intervals for every constant
// and every derived answer.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "study/fit.h"

namespace lowp::study {

struct Interval {
  double lo = 0, hi = 0;
};

// The q-quantile (0..1) of v by linear interpolation between order statistics; NaNs dropped.
// Returns NaN for an empty sample.
double percentile(std::vector<double> v, double q);

struct BootstrapResult {
  int requested = 0;
  int succeeded = 0;                         // replicates whose refit succeeded
  std::vector<std::vector<double>> values;   // [replicate][constant], natural values
  std::vector<std::vector<double>> answers;  // [replicate][answer]; NaN where undefined
  std::vector<Interval> constants;           // percentile 95% intervals (frozen: the value)
  std::vector<Interval> answer_intervals;
};

// K replicates. Each draws as many (N, D) cells as the data has, with replacement (all runs of
// a cell go together: its formats and seeds), and refits jointly from the full fit's distinct
// minima (its frozen constants stay frozen). `answers` maps a replicate's constants to the
// derived answers. Replicate draws are a pure function of (seed, replicate).
BootstrapResult bootstrap(const Law& law, const FitResult& full, const std::vector<Sample>& data,
                          int K, uint64_t seed, const FitOptions& opt,
                          const std::function<std::vector<double>(const ConstantSet&)>& answers);

}  // namespace lowp::study
