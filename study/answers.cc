// Derived answers of fitted constants, each a plain number so that the bootstrap can interval it.
#include "study/answers.h"

#include <cmath>
#include <functional>
#include <map>

#include "study/derived.h"
#include "util/error.h"

namespace lowp::study {

AnswerContext answer_context(const Law& law, const std::vector<Sample>& data,
                             std::optional<double> compute) {
  AnswerContext ctx;
  std::map<double, int> bs_count;
  for (const Sample& s : data) {
    ctx.compute = std::max(ctx.compute, kComputePerBit * compute_bits(law, s.x) * s.x.N * s.x.D);
    ctx.N_ref = std::max(ctx.N_ref, s.x.N);
    if (&law == &sun2025_law() && s.x.prec.bits() < kHighPrecisionBits) {
      bool seen = false;
      for (const auto& f : ctx.formats) seen |= f.second == s.x.prec;
      if (!seen) ctx.formats.push_back({s.format, s.x.prec});
      ++bs_count[s.x.prec.Bs];
    }
  }
  int most = 0;
  for (const auto& [bs, n] : bs_count)
    if (n > most) most = n, ctx.Bs = bs;
  if (compute) {
    require_positive(*compute, "compute C");
    ctx.compute = *compute;
  }
  return ctx;
}

std::vector<Answer> fit_answers(const Law& law, const ConstantSet& set, const AnswerContext& ctx) {
  std::vector<Answer> out;
  auto add = [&](std::string name, std::string unit, const std::function<double()>& f) {
    double v = NAN;
    try {
      v = f();
    } catch (const Error&) {  // undefined for these constants: NaN, the name stays
    }
    out.push_back({std::move(name), std::move(unit), v});
  };
  auto allocation = [&](const std::string& suffix, const LawInput& x) {
    add("N_opt" + suffix, "parameters",
        [&] { return compute_optimal(law, set, ctx.compute, x).N; });
    add("D_opt" + suffix, "tokens", [&] { return compute_optimal(law, set, ctx.compute, x).D; });
  };
  const std::vector<double>& c = set.values;
  if (&law == &chinchilla_law() || &law == &kaplan_law()) {
    allocation("", LawInput{});
    add("tokens_per_parameter", "D/N", [&] {
      const Allocation a = compute_optimal(law, set, ctx.compute, LawInput{});
      return a.D / a.N;
    });
    if (&law == &chinchilla_law())
      add("N_opt_exponent", "N_opt ~ C^x",
          [&] { return c[chin::beta] / (c[chin::alpha] + c[chin::beta]); });
  } else if (&law == &sun2025_law()) {
    add("exponent_share", "Eb* = share * P - 0.5",
        [&] { return c[sun::delta] / (c[sun::delta] + c[sun::nu]); });
    for (const auto& [name, p] : ctx.formats)
      add("D_crit[" + name + "]", "tokens", [&, p = p] { return critical_data(c, ctx.N_ref, p); });
    add("P_opt", "bits",
        [&] { return sun_optimal_precision(c, ctx.compute, ctx.Bs, {}, {}).bits; });
    add("N_opt", "parameters",
        [&] { return sun_optimal_precision(c, ctx.compute, ctx.Bs, {}, {}).at.N; });
    add("D_opt", "tokens",
        [&] { return sun_optimal_precision(c, ctx.compute, ctx.Bs, {}, {}).at.D; });
  } else if (&law == &kumar2024_law()) {
    add("P_best", "bits", [&] { return kumar_best_precision(c); });
    add("N_opt", "parameters",
        [&] { return kumar_optimal_precision(c, ctx.compute, {}, {}).at.N; });
    add("D_opt", "tokens", [&] { return kumar_optimal_precision(c, ctx.compute, {}, {}).at.D; });
  } else if (&law == &quartet_law()) {
    allocation("", LawInput{});
    if (!set.eff_format.empty()) {
      LawInput x;
      x.eff_from_law = true;
      allocation("[" + set.eff_format + "]", x);
    }
  }
  return out;
}

std::vector<std::string> answer_notes(const ConstantSet& set, const Answer& a) {
  if (std::isnan(a.value)) return {a.name + " is undefined for these constants"};
  const Range& r = set.range;
  std::vector<std::string> notes;
  if (!r.known) return notes;
  auto outside = [&](double lo, double hi, const char* unit) {
    if (a.value < lo * (1 - 1e-12) || a.value > hi * (1 + 1e-12))
      notes.push_back(a.name + " = " + num(a.value) + " " + unit +
                      " is outside the fitted range (" + num(lo) + " to " + num(hi) + " " + unit +
                      ")");
  };
  if (a.unit == "parameters") outside(r.n_lo, r.n_hi, "parameters");
  if (a.unit == "tokens") outside(r.d_lo, r.d_hi, "tokens");
  if (a.unit == "bits" && r.bits_hi > 0) outside(r.bits_lo, r.bits_hi, "bits");
  return notes;
}

}  // namespace lowp::study
