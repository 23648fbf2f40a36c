// The fitter: objective, NLopt L-BFGS runs, start grids and the stage-wise schedule.
#include "study/fit.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <tuple>

#include "util/error.h"
#include "util/philox.h"

namespace lowp::study {
namespace {

// One optimisation problem: some constants free, the rest fixed at phi's values.
struct Problem {
  const Law* law;
  const std::vector<Sample>* data;
  double delta;
  std::vector<double> phi;  // full fit-space vector; free entries overwritten per evaluation
  std::vector<int> free;    // indices optimised
  double best_f = HUGE_VAL;
  std::vector<double> best_phi;
  std::vector<double> g_row;  // scratch: d lnL / d phi of one row
};

// J = (1/n) sum rho(r_i), r = ln L_obs - ln L_pred; rho = huber/delta^2 or r^2/2.
// Rows where the law is undefined make J = HUGE_VAL (L-BFGS then backtracks).
double objective(unsigned nfree, const double* x, double* grad, void* ctx) {
  Problem& p = *static_cast<Problem*>(ctx);
  for (unsigned i = 0; i < nfree; ++i) p.phi[p.free[i]] = x[i];
  if (grad) std::fill(grad, grad + nfree, 0.0);
  const bool ls = !std::isfinite(p.delta);
  const double inv_d2 = ls ? 1 : 1 / (p.delta * p.delta);
  double J = 0;
  for (const Sample& s : *p.data) {
    const double lnL = p.law->log_loss(p.phi.data(), s.x, grad ? p.g_row.data() : nullptr);
    if (!std::isfinite(lnL)) return HUGE_VAL;
    const double r = std::log(s.loss) - lnL;
    double psi;  // d rho / d r
    if (ls || std::abs(r) <= p.delta) {
      J += 0.5 * r * r * inv_d2;
      psi = r * inv_d2;
    } else {
      J += (p.delta * (std::abs(r) - 0.5 * p.delta)) * inv_d2;
      psi = (r > 0 ? p.delta : -p.delta) * inv_d2;
    }
    if (grad)
      for (unsigned i = 0; i < nfree; ++i) grad[i] -= psi * p.g_row[p.free[i]];
  }
  const double n = static_cast<double>(p.data->size());
  J /= n;
  if (grad)
    for (unsigned i = 0; i < nfree; ++i) grad[i] /= n;
  if (J < p.best_f) {
    p.best_f = J;
    p.best_phi = p.phi;
  }
  return J;
}

// One L-BFGS run from `start` (full fit-space vector) over the free indices; returns the best
// point seen (NLopt's own stopping code does not matter: any evaluated point is valid).
std::pair<double, std::vector<double>> lbfgs(const Law& law, const std::vector<Sample>& data,
                                             double delta, const std::vector<double>& start,
                                             const std::vector<int>& free, int max_evals) {
  Problem p{&law, &data, delta, start, free, HUGE_VAL, start, std::vector<double>(law.size())};
  const unsigned n = static_cast<unsigned>(free.size());
  std::vector<double> x(n), lo(n), hi(n);
  for (unsigned i = 0; i < n; ++i) {
    const Param& par = law.params()[free[i]];
    lo[i] = par.lo;
    hi[i] = par.hi;
    x[i] = std::clamp(start[free[i]], par.lo, par.hi);
  }
  nlopt_opt o = nlopt_create(NLOPT_LD_LBFGS, n);
  nlopt_set_lower_bounds(o, lo.data());
  nlopt_set_upper_bounds(o, hi.data());
  nlopt_set_min_objective(o, objective, &p);
  nlopt_set_ftol_rel(o, 1e-15);
  nlopt_set_xtol_rel(o, 1e-13);
  nlopt_set_maxeval(o, max_evals);
  nlopt_set_vector_storage(o, 20);
  double f = 0;
  nlopt_optimize(o, x.data(), &f);
  nlopt_destroy(o);
  return {p.best_f, p.best_phi};
}

// Start points: the product of the free constants' grids (others from `phi`), or a seeded
// random subset of at most max_starts of them.
std::vector<std::vector<double>> grid_starts(const Law& law, const std::vector<double>& phi,
                                             const std::vector<int>& free, int max_starts,
                                             uint64_t seed) {
  size_t total = 1;
  for (int i : free) total *= law.params()[i].grid.size();
  std::vector<size_t> pick(total);
  std::iota(pick.begin(), pick.end(), size_t{0});
  if (max_starts > 0 && total > static_cast<size_t>(max_starts)) {
    for (size_t i = 0; i < static_cast<size_t>(max_starts); ++i) {  // partial Fisher-Yates
      const size_t j = i + (static_cast<uint64_t>(random_bits(seed, 7, i)) * (total - i) >> 32);
      std::swap(pick[i], pick[j]);
    }
    pick.resize(max_starts);
    std::sort(pick.begin(), pick.end());
  }
  std::vector<std::vector<double>> starts;
  for (size_t k : pick) {
    std::vector<double> s = phi;
    for (int i : free) {
      const auto& g = law.params()[i].grid;
      s[i] = g[k % g.size()];
      k /= g.size();
    }
    starts.push_back(std::move(s));
  }
  return starts;
}

bool reached(double f, double best) {
  return f <= best + 1e-6 * std::abs(best) + 1e-10;
}

// Fills the statistics of a fit whose best point is phi.
void finish(const Law& law, const std::vector<Sample>& data, const std::vector<double>& phi,
            FitResult* r) {
  r->constants.values = from_fit_space(law, phi);
  r->n = static_cast<int>(data.size());
  r->k = 0;
  for (const auto& f : r->frozen) r->k += f.empty();
  r->rss = 0;
  for (const Sample& s : data) {
    const double res = std::log(s.loss) - law.log_loss(phi.data(), s.x, nullptr);
    r->rss += res * res;
  }
  const double n = r->n;
  const double ll = n * std::log(std::max(r->rss / n, 1e-300));
  r->aic = ll + 2 * r->k;
  r->bic = ll + r->k * std::log(n);
  std::tie(r->rmse, r->mare) = prediction_errors(law, r->constants, data);
}

// The data's own range, recorded as the fitted range of the result.
Range data_range(const Law& law, const std::vector<Sample>& data) {
  Range r{true, HUGE_VAL, 0, HUGE_VAL, 0, HUGE_VAL, 0};
  for (const Sample& s : data) {
    r.n_lo = std::min(r.n_lo, s.x.N), r.n_hi = std::max(r.n_hi, s.x.N);
    r.d_lo = std::min(r.d_lo, s.x.D), r.d_hi = std::max(r.d_hi, s.x.D);
    for (const auto& [name, b] : law.bit_inputs(s.x))
      r.bits_lo = std::min(r.bits_lo, b), r.bits_hi = std::max(r.bits_hi, b);
  }
  if (r.bits_hi == 0) r.bits_lo = 0;
  return r;
}

}  // namespace

std::pair<double, double> prediction_errors(const Law& law, const ConstantSet& set,
                                            const std::vector<Sample>& data) {
  double se = 0, are = 0;
  for (const Sample& s : data) {
    const double pred = law.loss(set.values, s.x);
    se += (pred - s.loss) * (pred - s.loss);
    are += std::abs(pred - s.loss) / s.loss;
  }
  const double n = static_cast<double>(data.size());
  return {std::sqrt(se / n), are / n};
}

FitResult fit_law(const Law& law, const ConstantSet& base, const std::vector<Sample>& data,
                  const FitOptions& opt) {
  const std::string who = std::string("fit of ") + law.id();
  if (!(opt.huber_delta > 0)) fail(who + ": the Huber delta must be positive");
  FitResult r;
  r.constants = base;
  r.constants.name = "fit";
  r.frozen.assign(law.size(), "");
  std::vector<double> phi = to_fit_space(law, base.values);

  // Frozen constants: the user's, then what the rows cannot determine.
  for (const auto& [name, value] : opt.freeze) {
    const int i = law.index(name);
    if (value) {
      std::vector<double> c = from_fit_space(law, phi);
      c[i] = *value;
      phi = to_fit_space(law, c);
    }
    r.frozen[i] = "frozen by the user";
  }
  std::vector<LawInput> xs;
  for (const Sample& s : data) xs.push_back(s.x);
  for (const auto& [i, why] : law.unidentifiable(xs))
    if (r.frozen[i].empty()) r.frozen[i] = "held at " + base.name + "'s value: " + why;

  std::set<double> ns, ds;
  for (const Sample& s : data) ns.insert(s.x.N), ds.insert(s.x.D);
  if (ns.size() < 2 || ds.size() < 2)
    fail(who + " needs at least 2 distinct N and 2 distinct D values; the data has " +
         std::to_string(ns.size()) + " and " + std::to_string(ds.size()));
  std::vector<int> base_free, prec_free, all_free;
  for (size_t i = 0; i < law.size(); ++i) {
    if (!r.frozen[i].empty()) continue;
    (law.params()[i].precision ? prec_free : base_free).push_back(static_cast<int>(i));
    all_free.push_back(static_cast<int>(i));
  }
  if (all_free.empty()) fail(who + ": every constant is frozen; there is nothing to fit");
  if (data.size() <= all_free.size())
    fail(who + " has " + std::to_string(all_free.size()) + " free constants but only " +
         std::to_string(data.size()) + " rows; add runs or freeze constants (--freeze)");

  // Run each start; collect (objective, end point) of the final stage.
  std::vector<std::pair<double, std::vector<double>>> ends;
  if (prec_free.empty()) {
    for (const auto& s : grid_starts(law, phi, all_free, opt.max_starts, opt.seed))
      ends.push_back(lbfgs(law, data, opt.huber_delta, s, all_free, opt.max_evals));
    r.stages = "one stage: " + std::to_string(ends.size()) + " grid starts over all constants";
  } else {
    // Stage 1: the precision-free terms on the high-precision runs (all runs if too few),
    // precision constants at their base values.
    std::vector<Sample> hp;
    std::set<double> hn, hd;
    for (const Sample& s : data)
      if (law.high_precision(s.x)) hp.push_back(s), hn.insert(s.x.N), hd.insert(s.x.D);
    const bool use_hp = hn.size() >= 2 && hd.size() >= 2 && hp.size() > base_free.size();
    const std::vector<Sample>& s1 = use_hp ? hp : data;
    std::pair<double, std::vector<double>> best1{HUGE_VAL, phi};
    int n1 = 0;
    for (const auto& s : base_free.empty()
                             ? std::vector<std::vector<double>>{}
                             : grid_starts(law, phi, base_free, opt.max_starts, opt.seed)) {
      auto e = lbfgs(law, s1, opt.huber_delta, s, base_free, opt.max_evals);
      ++n1;
      if (e.first < best1.first) best1 = std::move(e);
    }
    // Stage 2: the precision constants on all runs with those fixed; stage 3: everything
    // jointly from each stage-2 end point.
    const auto starts2 = grid_starts(law, best1.second, prec_free, opt.max_starts, opt.seed + 1);
    for (const auto& s : starts2) {
      const auto e2 = lbfgs(law, data, opt.huber_delta, s, prec_free, opt.max_evals);
      ends.push_back(lbfgs(law, data, opt.huber_delta, e2.second, all_free, opt.max_evals));
    }
    r.stages = "stage 1: " + std::to_string(n1) + " grid starts over the precision-free terms on " +
               (use_hp ? std::to_string(hp.size()) + " runs of >= 16 bits"
                       : "all " + std::to_string(data.size()) + " runs (too few of >= 16 bits)") +
               "; stage 2: " + std::to_string(starts2.size()) +
               " grid starts over the precision terms; stage 3: joint fit from each";
  }
  std::sort(ends.begin(), ends.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  r.objective = ends.front().first;
  r.starts = static_cast<int>(ends.size());
  double last_level = HUGE_VAL;  // objective of the last distinct minimum kept
  for (const auto& e : ends) {
    r.starts_at_best += reached(e.first, r.objective);
    if (r.minima.size() < 5 && (r.minima.empty() || !reached(e.first, last_level))) {
      r.minima.push_back(e.second);
      last_level = e.first;
    }
  }
  if (!std::isfinite(r.objective))
    fail(who + ": no start reached a point where the law is defined on every row");
  r.constants.range = data_range(law, data);
  finish(law, data, ends.front().second, &r);
  return r;
}

FitResult refit(const Law& law, const FitResult& like, const std::vector<Sample>& data,
                const std::vector<std::vector<double>>& starts, const FitOptions& opt) {
  FitResult r;
  r.constants = like.constants;
  r.frozen = like.frozen;
  std::vector<int> free;
  for (size_t i = 0; i < law.size(); ++i)
    if (like.frozen[i].empty()) free.push_back(static_cast<int>(i));
  std::vector<std::pair<double, std::vector<double>>> ends;
  for (const auto& s : starts)
    ends.push_back(lbfgs(law, data, opt.huber_delta, s, free, opt.max_evals));
  const auto& best = *std::min_element(
      ends.begin(), ends.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!std::isfinite(best.first))
    fail(std::string("refit of ") + law.id() +
         ": no start reached a point where the law is "
         "defined on every row");
  r.objective = best.first;
  r.starts = static_cast<int>(ends.size());
  for (const auto& e : ends) r.starts_at_best += reached(e.first, best.first);
  r.stages = "joint fit from " + std::to_string(starts.size()) + " start(s)";
  r.minima = {best.second};
  r.constants.range = data_range(law, data);
  finish(law, data, best.second, &r);
  return r;
}

}  // namespace lowp::study
