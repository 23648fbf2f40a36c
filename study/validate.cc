// Held-out validation of a fit.
#include "study/validate.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "study/inputs.h"
#include "util/error.h"

namespace lowp::study {
namespace {

// Holdout refits sample at most this many grid starts per stage (a full grid per holdout
// would triple the cost of a fit for a validation number).
constexpr int kHoldoutStarts = 256;

}  // namespace

HoldoutResult holdout(const Law& law, const FitResult& full, const std::vector<Sample>& data,
                      const std::string& spec, const FitOptions& opt) {
  HoldoutResult out;
  out.spec = spec;
  std::vector<bool> held(data.size(), false);
  if (spec == "largest-N" || spec == "largest-D") {
    const bool byN = spec == "largest-N";
    double top = 0;
    for (const Sample& s : data) top = std::max(top, byN ? s.x.N : s.x.D);
    for (size_t i = 0; i < data.size(); ++i) held[i] = (byN ? data[i].x.N : data[i].x.D) == top;
    out.note = std::string(byN ? "N = " : "D = ") + num(top);
  } else if (spec.rfind("format=", 0) == 0) {
    const std::string f = spec.substr(7);
    std::string formats;
    for (size_t i = 0; i < data.size(); ++i) {
      const std::string& g = data[i].format;
      held[i] = g == f || (!g.empty() && !f.empty() && same_format(g, f));
      if (formats.find("'" + g + "'") == std::string::npos)
        formats += std::string(formats.empty() ? "" : ", ") + "'" + g + "'";
    }
    if (std::none_of(held.begin(), held.end(), [](bool b) { return b; }))
      fail("--holdout " + spec + ": no row has format '" + f + "'; the data's formats: " + formats);
  } else {
    fail("unknown holdout '" + spec + "'; use largest-N, largest-D or format=F");
  }
  std::vector<Sample> train, test;
  for (size_t i = 0; i < data.size(); ++i) (held[i] ? test : train).push_back(data[i]);
  out.n_train = static_cast<int>(train.size());
  out.n_test = static_cast<int>(test.size());
  if (train.empty()) {
    out.note += std::string(out.note.empty() ? "" : "; ") + "skipped: every row is held out";
    return out;
  }
  FitOptions o = opt;
  o.max_starts = opt.max_starts == 0 ? kHoldoutStarts : std::min(opt.max_starts, kHoldoutStarts);
  o.freeze.clear();
  for (size_t i = 0; i < law.size(); ++i)
    if (!full.frozen[i].empty()) o.freeze.push_back({law.params()[i].name, std::nullopt});
  FitResult r;
  try {
    r = fit_law(law, full.constants, train, o);  // held constants keep the full fit's values
  } catch (const Error& e) {
    out.note += std::string(out.note.empty() ? "" : "; ") + "skipped: " + e.what();
    return out;
  }
  for (size_t i = 0; i < law.size(); ++i)
    if (full.frozen[i].empty() && !r.frozen[i].empty())
      out.note +=
          std::string(out.note.empty() ? "" : "; ") + law.params()[i].name + " " + r.frozen[i];
  try {
    std::tie(out.rmse, out.mare) = prediction_errors(law, r.constants, test);
    out.done = true;
  } catch (const Error& e) {
    out.note += std::string(out.note.empty() ? "" : "; ") +
                "the refit cannot predict the held-out rows: " + e.what();
  }
  return out;
}

std::vector<std::string> default_holdouts(const std::vector<Sample>& data) {
  std::vector<std::string> specs = {"largest-N", "largest-D"};
  std::string lowest;
  double lowest_bits = HUGE_VAL;
  int distinct = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const std::string& f = data[i].format;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = data[j].format == f;
    if (seen || f.empty()) continue;
    ++distinct;
    try {
      const double b = precision_of(f).p.bits();
      if (b < lowest_bits) lowest_bits = b, lowest = f;
    } catch (const Error&) {  // a label that is not a format: not a candidate
    }
  }
  if (distinct >= 2 && !lowest.empty()) specs.push_back("format=" + lowest);
  return specs;
}

}  // namespace lowp::study
