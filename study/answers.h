// The derived answers reported beside a fit (and bootstrapped with it): compute-optimal N and
// D, sun2025's exponent share, critical data sizes and optimal precision, Kumar's best bits.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "study/data.h"
#include "study/law.h"

namespace lowp::study {

// Where the answers are evaluated.
struct AnswerContext {
  double compute = 0;  // C (FLOPs) for compute-optimal answers; default: the data's largest run
  double N_ref = 0;    // N for critical data sizes; default: the data's largest N
  std::vector<std::pair<std::string, Precision>> formats;  // sun2025: the data's < 16-bit formats
  double Bs = 128;  // sun2025 optimal precision: the most common block size of those formats
};

AnswerContext answer_context(const Law& law, const std::vector<Sample>& data,
                             std::optional<double> compute);

struct Answer {
  std::string name, unit;
  double value = 0;
};

// The same names in the same order for any constants of one law and context; an answer that
// is undefined for these constants is NaN.
std::vector<Answer> fit_answers(const Law& law, const ConstantSet& set, const AnswerContext& ctx);

// Extrapolation notes of one answer against the set's fitted range.
std::vector<std::string> answer_notes(const ConstantSet& set, const Answer& a);

}  // namespace lowp::study
