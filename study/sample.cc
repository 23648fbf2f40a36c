// Synthetic runs from a law and their CSV text.
#include "study/sample.h"

#include <cmath>
#include <cstdio>

#include "study/inputs.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp::study {
namespace {

// Standard normal draw i of `seed` (Box-Muller on two 32-bit uniforms in (0, 1)).
double gaussian(uint64_t seed, uint64_t i) {
  const double u1 = (random_bits(seed, 2, 2 * i) + 0.5) * 0x1p-32;
  const double u2 = (random_bits(seed, 2, 2 * i + 1) + 0.5) * 0x1p-32;
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace

Dataset sample_runs(const Law& law, const ConstantSet& set, const std::vector<double>& Ns,
                    const std::vector<double>& Ds, const std::vector<std::string>& formats,
                    double sigma, int seeds, uint64_t seed) {
  if (Ns.empty() || Ds.empty() || formats.empty())
    fail("sampling runs needs at least one N, one D and one format");
  if (!(sigma >= 0) || seeds < 1) fail("sampling runs needs noise >= 0 and seeds >= 1");
  Dataset out;
  out.source = std::string("sampled from ") + law.id();
  uint64_t i = 0;
  for (double N : Ns)
    for (double D : Ds)
      for (const std::string& f : formats)
        for (int s = 0; s < seeds; ++s) {
          Row r;
          r.N = N;
          r.D = D;
          r.spec.format = f;
          r.seed = s;
          r.loss = law.loss(set.values, make_input(law, set, N, D, r.spec)) *
                   std::exp(sigma * gaussian(seed, i++));
          r.line = static_cast<int>(out.rows.size()) + 2;
          out.rows.push_back(std::move(r));
        }
  return out;
}

std::string to_csv(const Dataset& data) {
  std::string s = "N,D,format,loss,seed\n";
  char buf[160];
  for (const Row& r : data.rows) {
    std::snprintf(buf, sizeof buf, "%.9g,%.9g,", r.N, r.D);
    s += buf;
    s += r.spec.format;
    std::snprintf(buf, sizeof buf, ",%.9g,%lld\n", r.loss, r.seed.value_or(0));
    s += buf;
  }
  return s;
}

}  // namespace lowp::study
