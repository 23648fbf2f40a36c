// The law registry, constant-set selection, fit-space conversion and range checks.
#include "study/law.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "study/derived.h"
#include "util/error.h"

namespace lowp::study {

int Law::index(std::string_view name) const {
  const auto& ps = params();
  std::string names;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (name == ps[i].name) return static_cast<int>(i);
    names += std::string(i ? ", " : "") + ps[i].name;
  }
  fail("law " + std::string(id()) + " has no constant '" + std::string(name) +
       "'; its constants: " + names);
}

PrecisionAnswer Law::optimal_precision(const std::vector<double>&, const PrecisionQuery&) const {
  fail(std::string("optimal-precision needs a precision-aware law with a precision sweep "
                   "(sun2025 or kumar2024); ") +
       id() + " has none");
}

bool Law::has_precision_terms() const {
  for (const auto& p : params())
    if (p.precision) return true;
  return false;
}

const std::vector<const Law*>& all_laws() {
  static const std::vector<const Law*> laws = {&chinchilla_law(), &kaplan_law(), &sun2025_law(),
                                               &kumar2024_law(), &quartet_law()};
  return laws;
}

LawRef resolve_law(std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view id = spec.substr(0, colon);
  const std::string_view set = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  std::string ids;
  for (const Law* law : all_laws()) {
    ids += std::string(ids.empty() ? "" : ", ") + law->id();
    if (id != law->id()) continue;
    if (set.empty()) return {law, law->sets().front()};
    std::string names;
    for (const auto& s : law->sets()) {
      if (set == s.name) return {law, s};
      names += std::string(names.empty() ? "" : ", ") + s.name;
    }
    fail("law " + std::string(id) + " has no constant set '" + std::string(set) +
         "'; its sets: " + names + " (write LAW:SET, e.g. chinchilla:epoch)");
  }
  fail("unknown law '" + std::string(spec) + "'; valid laws: " + ids +
       " (optionally LAW:SET for a published constant set, e.g. chinchilla:epoch)");
}

std::vector<double> to_fit_space(const Law& law, const std::vector<double>& c) {
  std::vector<double> phi(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    const Param& p = law.params()[i];
    if (p.log_space && !(c[i] > 0))
      fail("law " + std::string(law.id()) + ": constant " + p.name + " must be positive, got " +
           num(c[i]));
    phi[i] = p.log_space ? std::log(c[i]) : c[i];
  }
  return phi;
}

std::vector<double> from_fit_space(const Law& law, const std::vector<double>& phi) {
  std::vector<double> c(phi.size());
  for (size_t i = 0; i < phi.size(); ++i)
    c[i] = law.params()[i].log_space ? std::exp(phi[i]) : phi[i];
  return c;
}

double log_sum_exp(const double* t, int n, double* w) {
  double m = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < n; ++i) m = std::max(m, t[i]);
  if (!std::isfinite(m)) {  // all terms -inf (or some +inf/NaN): no meaningful weights
    for (int i = 0; i < n; ++i) w[i] = 0;
    return m;
  }
  double s = 0;
  for (int i = 0; i < n; ++i) s += (w[i] = std::exp(t[i] - m));
  for (int i = 0; i < n; ++i) w[i] /= s;
  return m + std::log(s);
}

std::string num(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::vector<std::string> range_notes_nd(const ConstantSet& set, double N, double D,
                                        const char* n_name, const char* d_name) {
  std::vector<std::string> notes;
  if (!set.range.known) {
    notes.push_back("the constant set '" + set.name +
                    "' records no fitted range; nothing is "
                    "known about where it holds");
    return notes;
  }
  const Range& r = set.range;
  const std::string who = set.law + (set.name.empty() ? "" : ":" + set.name);
  if (!std::isnan(N) && (N < r.n_lo * (1 - 1e-12) || N > r.n_hi * (1 + 1e-12)))
    notes.push_back(std::string(n_name) + " = " + num(N) + " is outside the fitted range of " +
                    who + " (" + num(r.n_lo) + " to " + num(r.n_hi) + " parameters)");
  if (!std::isnan(D) && (D < r.d_lo * (1 - 1e-12) || D > r.d_hi * (1 + 1e-12)))
    notes.push_back(std::string(d_name) + " = " + num(D) + " is outside the fitted range of " +
                    who + " (" + num(r.d_lo) + " to " + num(r.d_hi) + " tokens)");
  return notes;
}

std::vector<std::string> range_notes(const Law& law, const ConstantSet& set, const LawInput& x) {
  std::vector<std::string> notes = range_notes_nd(set, x.N, x.D);
  const Range& r = set.range;
  if (!r.known || (r.bits_lo == 0 && r.bits_hi == 0)) return notes;
  for (const auto& [name, bits] : law.bit_inputs(x))
    if (bits < r.bits_lo || bits > r.bits_hi)
      notes.push_back(name + " = " + num(bits) + " bits is outside the fitted range of " + set.law +
                      " (" + num(r.bits_lo) + " to " + num(r.bits_hi) + " bits)");
  return notes;
}

}  // namespace lowp::study
