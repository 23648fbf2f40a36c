// Robust fitting of a law to measured runs: Huber loss on log residuals, L-BFGS (NLopt) with
// analytic gradients from a grid of starts, stage-wise then joint (laws.md, "How lowp fits").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "study/data.h"
#include "study/law.h"

namespace lowp::study {

struct FitOptions {
  // Huber threshold on log residuals; HUGE_VAL gives plain least squares.
  double huber_delta = 1e-3;
  // Constants held fixed: (name, value), the value defaulting to the base set's.
  std::vector<std::pair<std::string, std::optional<double>>> freeze;
  // Most starts per grid stage; 0 runs the whole grid, else a seeded random subset.
  int max_starts = 0;
  uint64_t seed = 1;
  int max_evals = 1500;  // objective evaluations per L-BFGS run
};

struct FitResult {
  ConstantSet constants;            // name "fit"; range = the data's N, D (and bits) range
  std::vector<std::string> frozen;  // per constant: "" when fitted, else why it is held
  // Objective J = mean over rows of huber(r)/delta^2 (least squares: mean r^2/2), r = ln L_obs
  // - ln L_pred. Dividing by delta^2 keeps J of order one at the noise level, so NLopt's
  // tolerances do not stop a fit early.
  double objective = 0;
  int starts = 0, starts_at_best = 0;  // final-stage starts, and those within 1e-6 of the best
  std::string stages;                  // what each stage did
  std::vector<std::vector<double>>
      minima;                 // fit-space end points of distinct local minima, best first
  int n = 0, k = 0;           // rows and fitted constants
  double rss = 0;             // sum of squared log residuals
  double aic = 0, bic = 0;    // n ln(rss/n) + 2k, + k ln n (Gaussian log residuals)
  double rmse = 0, mare = 0;  // in-sample RMSE (nats) and mean |relative error|
};

// Fits `law` to the samples. `base` supplies frozen values (user-frozen names without a value,
// and constants the rows cannot determine, see Law::unidentifiable) and the eff_format.
// Throws lowp::Error for too few rows or distinct N / D, or unknown frozen names.
FitResult fit_law(const Law& law, const ConstantSet& base, const std::vector<Sample>& data,
                  const FitOptions& opt);

// A joint L-BFGS fit with `like`'s frozen constants, from each of the fit-space starts; the
// best is returned (for bootstrap replicates and the least-squares companion fit).
FitResult refit(const Law& law, const FitResult& like, const std::vector<Sample>& data,
                const std::vector<std::vector<double>>& starts, const FitOptions& opt);

// Prediction errors of `set` on samples: RMSE in nats and mean |L_pred - L_obs| / L_obs.
std::pair<double, double> prediction_errors(const Law& law, const ConstantSet& set,
                                            const std::vector<Sample>& data);

}  // namespace lowp::study
