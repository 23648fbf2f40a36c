// Validation before answering: refit without the largest N, the largest D or one format, and
// measure the error on what was left out.
#pragma once

#include <string>
#include <vector>

#include "study/fit.h"

namespace lowp::study {

struct HoldoutResult {
  std::string spec;   // "largest-N", "largest-D" or "format=F"
  bool done = false;  // false: not possible (see note)
  std::string note;   // what was held out, constants held, or why it was skipped
  int n_train = 0, n_test = 0;
  double rmse = 0, mare = 0;  // on the held-out rows: nats, and mean |relative error|
};

// Refits on the rows that `spec` keeps, like the full fit (same options, but at most 256
// seeded grid starts per stage; the full
// fit's frozen constants stay frozen, and a constant the kept rows cannot determine is held
// at the full fit's value and named in the note). Throws lowp::Error for an unknown spec or a
// format no row has.
HoldoutResult holdout(const Law& law, const FitResult& full, const std::vector<Sample>& data,
                      const std::string& spec, const FitOptions& opt);

// largest-N, largest-D, and with two or more formats, format=<the one with fewest bits>.
std::vector<std::string> default_holdouts(const std::vector<Sample>& data);

}  // namespace lowp::study
