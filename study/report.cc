// run_fit and the text report of a fit.
#include "study/report.h"

#include "study/store_runs.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "util/error.h"

namespace lowp::study {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// "[lo, hi]" of an interval.
std::string bracket(double lo, double hi) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "[%.6g, %.6g]", lo, hi);
  return buf;
}

std::string pad(std::string s, size_t w) {
  if (s.size() < w) s.resize(w, ' ');
  return s;
}

}  // namespace

double default_huber_delta(const Law& law) {
  return &law == &quartet_law() ? 1e-4 : 1e-3;
}

FitReport run_fit(const FitRequest& request) {
  FitReport r;
  const LawRef ref = resolve_law(request.law);
  FitRequest req = request;
  req.options.huber_delta = req.huber_delta.value_or(default_huber_delta(*ref.law));
  r.request = req;
  r.law = ref.law;
  r.base = ref.set;
  const Law& law = *ref.law;
  if (req.data.empty() && req.db.empty()) fail("lowp fit needs runs: --data runs.csv and/or --db runs.db");
  Dataset data;
  if (!req.data.empty()) data = read_csv(req.data);
  if (!req.db.empty()) {
    const Dataset stored = read_store(req.db, req.study);
    data.source = data.source.empty() ? stored.source : data.source + " + " + stored.source;
    data.rows.insert(data.rows.end(), stored.rows.begin(), stored.rows.end());
  }
  const std::vector<Sample> samples = samples_for(law, &r.base, data);
  r.rows = static_cast<int>(samples.size());
  std::set<std::pair<double, double>> cells;
  for (const Sample& s : samples) cells.insert({s.x.N, s.x.D});
  r.cells = static_cast<int>(cells.size());

  r.fit = fit_law(law, r.base, samples, req.options);
  FitOptions ls = req.options;
  ls.huber_delta = HUGE_VAL;
  r.least_squares = refit(law, r.fit, samples, {r.fit.minima.front()}, ls);

  r.context = answer_context(law, samples, req.compute);
  r.answers = fit_answers(law, r.fit.constants, r.context);
  auto answer_values = [&](const ConstantSet& c) {
    std::vector<double> v;
    for (const Answer& a : fit_answers(law, c, r.context)) v.push_back(a.value);
    return v;
  };
  r.boot =
      bootstrap(law, r.fit, samples, req.bootstrap, req.options.seed, req.options, answer_values);
  for (const std::string& h : req.holdouts.empty() ? default_holdouts(samples) : req.holdouts)
    r.holdouts.push_back(holdout(law, r.fit, samples, h, req.options));

  const std::vector<double> phi = to_fit_space(law, r.fit.constants.values);
  for (size_t i = 0; i < law.size(); ++i) {
    const Param& p = law.params()[i];
    if (r.fit.frozen[i].empty() &&
        (std::abs(phi[i] - p.lo) < 1e-9 || std::abs(phi[i] - p.hi) < 1e-9))
      r.at_bounds.push_back(p.name);
  }
  return r;
}

std::string format_report(const FitReport& r) {
  const Law& law = *r.law;
  std::ostringstream o;
  o << "law: " << law.id() << " (" << law.paper() << ")\n";
  o << "formula: " << law.formula() << "\n";
  o << "data: " << r.request.data << ": " << r.rows << " runs in " << r.cells << " (N, D) cells";
  if (!r.fit.constants.eff_format.empty())
    o << "; effN, effD belong to " << r.fit.constants.eff_format;
  o << "\n";
  o << "fit: Huber loss (delta " << num(r.request.options.huber_delta) << ") on ln L residuals, "
    << "L-BFGS (NLopt) with analytic gradients; " << r.fit.stages << "\n";
  o << "objective: " << fmt("%.6g", r.fit.objective) << " (mean huber/delta^2), reached by "
    << r.fit.starts_at_best << " of " << r.fit.starts << " starts; least squares objective "
    << fmt("%.6g", r.least_squares.objective) << " (mean r^2/2)\n";
  const bool ci = r.boot.succeeded > 0;
  o << "constants";
  if (ci)
    o << " (95% percentile intervals from " << r.boot.succeeded << " of " << r.boot.requested
      << " cell-bootstrap replicates)";
  else
    o << " (no intervals: --bootstrap 0)";
  o << ":\n";
  for (size_t i = 0; i < law.size(); ++i) {
    o << "  " << pad(law.params()[i].name, 10) << pad(fmt("%.6g", r.fit.constants.values[i]), 14);
    if (!r.fit.frozen[i].empty()) {
      o << "(" << r.fit.frozen[i] << ")\n";
      continue;
    }
    if (ci) o << pad(bracket(r.boot.constants[i].lo, r.boot.constants[i].hi), 28);
    o << "least squares " << fmt("%.6g", r.least_squares.constants.values[i]) << "\n";
  }
  for (const std::string& b : r.at_bounds)
    o << "warning: " << b
      << " ended on the bound of its search range; the data do not determine it\n";
  o << "fit quality: RMSE " << fmt("%.4g", r.fit.rmse) << " nats, mean |rel err| "
    << fmt("%.4g", r.fit.mare) << ", sum of squared log residuals " << fmt("%.4g", r.fit.rss)
    << ", AIC " << fmt("%.2f", r.fit.aic) << ", BIC " << fmt("%.2f", r.fit.bic)
    << " (k = " << r.fit.k << " fitted constants, n = " << r.fit.n << ")\n";
  for (const HoldoutResult& h : r.holdouts) {
    o << "held out " << h.spec << " (" << (h.note.empty() ? "" : h.note + "; ") << h.n_test
      << " runs, refit on " << h.n_train << "): ";
    if (h.done)
      o << "RMSE " << fmt("%.4g", h.rmse) << " nats, mean |rel err| " << fmt("%.4g", h.mare)
        << "\n";
    else
      o << "not done\n";
  }
  o << "derived answers (C = " << num(r.context.compute) << " FLOPs";
  if (&law == &sun2025_law())
    o << ", N = " << num(r.context.N_ref) << " for critical data, Bs = " << num(r.context.Bs)
      << " for the optimal precision";
  o << "):\n";
  for (size_t j = 0; j < r.answers.size(); ++j) {
    const Answer& a = r.answers[j];
    o << "  " << pad(a.name, 24) << pad(fmt("%.6g", a.value), 14);
    if (ci) o << pad(bracket(r.boot.answer_intervals[j].lo, r.boot.answer_intervals[j].hi), 28);
    o << a.unit << "\n";
  }
  for (const Answer& a : r.answers)
    for (const std::string& n : answer_notes(r.fit.constants, a))
      o << "extrapolation: " << n << "\n";
  return o.str();
}

}  // namespace lowp::study
