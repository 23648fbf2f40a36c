// Cell bootstrap: resampling, refits and percentile intervals.
#include "study/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "util/error.h"
#include "util/philox.h"

namespace lowp::study {

double percentile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  if (i + 1 >= v.size()) return v.back();
  return v[i] + (pos - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

BootstrapResult bootstrap(const Law& law, const FitResult& full, const std::vector<Sample>& data,
                          int K, uint64_t seed, const FitOptions& opt,
                          const std::function<std::vector<double>(const ConstantSet&)>& answers) {
  if (K < 0) fail("the bootstrap count must be >= 0, got " + std::to_string(K));
  std::map<std::pair<double, double>, std::vector<size_t>> by_cell;
  for (size_t i = 0; i < data.size(); ++i) by_cell[{data[i].x.N, data[i].x.D}].push_back(i);
  std::vector<const std::vector<size_t>*> cells;
  for (const auto& [key, rows] : by_cell) cells.push_back(&rows);

  BootstrapResult out;
  out.requested = K;
  const size_t n_answers = answers ? answers(full.constants).size() : 0;
  for (int k = 0; k < K; ++k) {
    std::vector<Sample> draw;
    for (size_t j = 0; j < cells.size(); ++j) {
      const uint64_t bits = random_bits(seed, 100 + static_cast<uint32_t>(k), j);
      const size_t c = static_cast<size_t>((bits * cells.size()) >> 32);
      for (size_t i : *cells[c]) draw.push_back(data[i]);
    }
    FitResult r;
    try {
      r = refit(law, full, draw, full.minima, opt);
    } catch (const Error&) {
      continue;  // e.g. the law undefined everywhere from every start: counted as failed
    }
    ++out.succeeded;
    out.values.push_back(r.constants.values);
    std::vector<double> a(n_answers, NAN);
    if (answers) {
      try {
        a = answers(r.constants);
      } catch (const Error&) {
      }
    }
    out.answers.push_back(std::move(a));
  }
  auto interval = [](const std::vector<double>& v) {
    return Interval{percentile(v, 0.025), percentile(v, 0.975)};
  };
  for (size_t i = 0; i < law.size(); ++i) {
    std::vector<double> v;
    for (const auto& r : out.values) v.push_back(r[i]);
    out.constants.push_back(interval(v));
  }
  for (size_t j = 0; j < n_answers; ++j) {
    std::vector<double> v;
    for (const auto& a : out.answers) v.push_back(a[j]);
    out.answer_intervals.push_back(interval(v));
  }
  return out;
}

}  // namespace lowp::study
