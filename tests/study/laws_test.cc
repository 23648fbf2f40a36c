// The laws: published values by hand, the log-space path against the plain formula, gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "study/law.h"
#include "util/error.h"

namespace lowp::study {
namespace {

LawInput at(double N, double D) {
  LawInput x;
  x.N = N;
  x.D = D;
  return x;
}

TEST(Laws, ChinchillaHoffmannByHand) {
  const LawRef r = resolve_law("chinchilla");
  EXPECT_EQ(r.set.name, "hoffmann");
  const double want = 1.69 + 406.4 * std::pow(70e9, -0.34) + 410.7 * std::pow(1.4e12, -0.28);
  EXPECT_DOUBLE_EQ(r.law->loss(r.set.values, at(70e9, 1.4e12)), want);
  EXPECT_NEAR(want, 1.9367, 1e-4);  // the Chinchilla point (70B, 1.4T)
}

TEST(Laws, ChinchillaEpochSet) {
  const LawRef r = resolve_law("chinchilla:epoch");
  EXPECT_EQ(r.set.name, "epoch");
  EXPECT_DOUBLE_EQ(r.set.values[chin::B], 2085.43);
}

TEST(Laws, UnknownLawAndSetAreErrors) {
  EXPECT_THROW(resolve_law("chinchila"), Error);
  EXPECT_THROW(resolve_law("chinchilla:nope"), Error);
  EXPECT_THROW(chinchilla_law().index("gamma"), Error);
}

TEST(Laws, Sun2025PaperExtrapolationExample) {
  // laws.md: Sun predicts 9.65 nats at N = 1e6, D = 1e8 (bf16, block 128).
  const LawRef r = resolve_law("sun2025");
  LawInput x = at(1e6, 1e8);
  x.prec = {8, 7, 128};
  EXPECT_NEAR(r.law->loss(r.set.values, x), 9.6512, 1e-4);
  const auto notes = range_notes(*r.law, r.set, x);
  EXPECT_EQ(notes.size(), 2u);
}

TEST(Laws, KumarUndefinedBelowItsThreshold) {
  const LawRef r = resolve_law("kumar2024");
  LawInput x = at(1e8, 1e10);
  x.bits_w = x.bits_a = 8;
  x.bits_kv = 2;  // n_kv * gamma_kv = 2.32 bits
  EXPECT_THROW(r.law->loss(r.set.values, x), Error);
  const auto phi = to_fit_space(*r.law, r.set.values);
  EXPECT_TRUE(std::isnan(r.law->log_loss(phi.data(), x, nullptr)));
}

// Every law at a spread of points: exp(log_loss) equals loss, and the analytic gradient
// matches central differences (step h, error O(h^2) ~ 1e-10 relative to the gradient scale).
TEST(Laws, LogSpaceMatchesFormulaAndGradients) {
  for (const Law* law : all_laws()) {
    const ConstantSet& set = law->sets().front();
    const auto phi = to_fit_space(*law, set.values);
    for (double N : {3e7, 1e9, 7e10})
      for (double D : {1e9, 3e11})
        for (int variant = 0; variant < 3; ++variant) {
          LawInput x = at(N, D);
          x.prec = variant == 0   ? Precision{4, 3, 128}
                   : variant == 1 ? Precision{2, 1, 32}
                                  : Precision{0, 7, 9000};
          x.bits_w = 4 + variant;
          x.bits_a = 6 + variant;
          x.bits_kv = 5 + 2 * variant;
          x.eff_from_law = variant != 2;
          x.eff_n = 0.8;
          x.eff_d = 0.9;
          const double L = law->loss(set.values, x);
          std::vector<double> g(law->size());
          const double lnL = law->log_loss(phi.data(), x, g.data());
          ASSERT_NEAR(std::exp(lnL), L, 1e-12 * L) << law->id();
          for (size_t i = 0; i < phi.size(); ++i) {
            auto p = phi;
            const double h = 1e-6 * std::max(1.0, std::abs(p[i]));
            p[i] += h;
            const double up = law->log_loss(p.data(), x, nullptr);
            p[i] -= 2 * h;
            const double dn = law->log_loss(p.data(), x, nullptr);
            const double fd = (up - dn) / (2 * h);
            EXPECT_NEAR(g[i], fd, 1e-7 * std::max(1.0, std::abs(fd)))
                << law->id() << " d/d" << law->params()[i].name;
          }
        }
  }
}

}  // namespace
}  // namespace lowp::study
