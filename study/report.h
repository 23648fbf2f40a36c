// `lowp fit` end to end: read runs, fit, bootstrap, validate, derive; as text and as JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "study/answers.h"
#include "study/bootstrap.h"
#include "study/fit.h"
#include "study/validate.h"

namespace lowp::study {

struct FitRequest {
  std::string law;   // LAW or LAW:SET (the set supplies frozen values)
  std::string data;  // CSV path ("" when the runs come from `db` only)
  std::string db;    // results store (SQLite) whose completed runs are added; "" for none
  std::string study; // with db: only this study's runs ("" = all)
  int bootstrap = 100;
  std::vector<std::string> holdouts;  // empty: default_holdouts()
  std::optional<double> compute;      // C for the derived answers
  std::optional<double> huber_delta;  // default: default_huber_delta(law)
  FitOptions options;                 // its huber_delta is set from the above
};

struct FitReport {
  FitRequest request;
  const Law* law = nullptr;
  ConstantSet base;
  int rows = 0, cells = 0;
  FitResult fit;
  FitResult least_squares;  // the same fit with delta = inf, from the Huber optimum
  BootstrapResult boot;
  std::vector<HoldoutResult> holdouts;
  AnswerContext context;
  std::vector<Answer> answers;
  std::vector<std::string> at_bounds;  // constants that ended on a search bound
};

// laws.md: delta = 1e-4 for quartet (as Castro et al. fit it), 1e-3 for the others.
double default_huber_delta(const Law& law);

// Runs everything; throws lowp::Error on bad input (unknown law, unreadable data, ...).
FitReport run_fit(const FitRequest& req);

// The human-readable report; extrapolations each on a line starting "extrapolation: ".
std::string format_report(const FitReport& r);

// fit.json: {"law", "constants": {"<name>": {"value", "ci95": [lo, hi] | null, ...}}, ...}.
std::string report_json(const FitReport& r);

// Reads constants for `law` from a fit.json (or any {"constants": {name: value | {"value":
// v}}} file, optional "law", "range", "eff_format"). Every constant must be present.
ConstantSet read_constants(const Law& law, const std::string& path);

}  // namespace lowp::study
