// Derived answers: the papers' own numbers, and every closed form against brute-force search.
#include "study/derived.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

#include "study/law.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp::study {
namespace {

const std::vector<double>& sun_c() {
  return sun2025_law().sets().front().values;
}
const std::vector<double>& kumar_c() {
  return kumar2024_law().sets().front().values;
}

double uniform(uint64_t seed, uint64_t i) {
  return random_bits(seed, 0, i) * 0x1p-32;
}

double score(const std::vector<double>& c, int Eb, int Mb) {
  return c[sun::delta] * std::log(Eb + 0.5) + c[sun::nu] * std::log(Mb + 0.5);
}

TEST(Derived, SunOptimalLayoutsOfThePaper) {
  const char* want[] = {"e2m1", "e2m2", "e3m2", "e3m3", "e4m3"};
  for (int P = 4; P <= 8; ++P) {
    const SplitAnswer s = best_split(sun_c(), P);
    EXPECT_EQ(layout_name(s.best.Eb, s.best.Mb), want[P - 4]) << P;
  }
  EXPECT_EQ(layout_name(best_split(sun_c(), 16).best.Eb, best_split(sun_c(), 16).best.Mb), "e8m7");
}

// The closed form (floor/ceil of the continuous optimum) against scoring every layout, for
// the published constants and random positive (delta, nu).
TEST(Derived, BestSplitMatchesEnumeration) {
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> c = sun_c();
    if (trial > 0) {
      c[sun::delta] = 0.05 + 6 * uniform(11, 2 * trial);
      c[sun::nu] = 0.05 + 6 * uniform(11, 2 * trial + 1);
    }
    for (int P = 2; P <= 32; ++P) {
      int best = -1, second = -1;
      for (int e = 0; e < P; ++e) {
        const double s = score(c, e, P - 1 - e);
        if (best < 0 || s > score(c, best, P - 1 - best)) {
          second = best;
          best = e;
        } else if (second < 0 || s > score(c, second, P - 1 - second)) {
          second = e;
        }
      }
      const SplitAnswer a = best_split(c, P);
      ASSERT_EQ(a.best.Eb, best) << "P " << P << " trial " << trial;
      ASSERT_EQ(a.runner_up.Eb, second) << "P " << P << " trial " << trial;
      EXPECT_NEAR(a.penalty_ratio,
                  std::exp(score(c, best, P - 1 - best) - score(c, second, P - 1 - second)), 1e-12);
    }
  }
}

TEST(Derived, SunCriticalDataOfThePaper) {
  // Sun et al.: N = 1e9, block 128: 1730T (bf16), 27T (E4M3), 0.4T (E2M1).
  EXPECT_EQ(std::lround(critical_data(sun_c(), 1e9, {8, 7, 128}) / 1e13), 173);
  EXPECT_EQ(std::lround(critical_data(sun_c(), 1e9, {4, 3, 128}) / 1e12), 27);
  EXPECT_EQ(std::lround(critical_data(sun_c(), 1e9, {2, 1, 128}) / 1e11), 4);
}

TEST(Derived, CriticalDataIsTheLossMinimumOverD) {
  const Law& law = sun2025_law();
  for (const Precision p : {Precision{4, 3, 128}, Precision{2, 1, 32}, Precision{3, 2, 9000}}) {
    const double N = 3e8, Dc = critical_data(sun_c(), N, p);
    LawInput x;
    x.N = N;
    x.prec = p;
    double best_lnD = 0, best = HUGE_VAL;
    for (int i = -20000; i <= 20000; ++i) {  // ln D within +-2 of ln Dc, step 1e-4
      x.D = Dc * std::exp(i * 1e-4);
      const double L = law.loss(sun_c(), x);
      if (L < best) best = L, best_lnD = i * 1e-4;
    }
    EXPECT_NEAR(best_lnD, 0, 1.5e-4);
  }
  EXPECT_THROW(critical_data(sun_c(), 1e9, {4, 3, 1}), Error);
}

// Brute force: the minimum over a fine ln N grid around the answer is not below it.
void expect_compute_optimal(const Law& law, const ConstantSet& set, double C, const LawInput& x0) {
  const Allocation a = compute_optimal(law, set, C, x0);
  const double K = C / (kComputePerBit * compute_bits(law, x0));
  EXPECT_NEAR(a.N * a.D, K, 1e-9 * K);
  double best = HUGE_VAL, best_z = 0;
  LawInput x = x0;
  for (int i = -30000; i <= 30000; ++i) {  // ln N within +-3 of the answer, step 1e-4
    x.N = a.N * std::exp(i * 1e-4);
    x.D = K / x.N;
    const double L = law.loss(set.values, x);
    if (L < best) best = L, best_z = i * 1e-4;
  }
  EXPECT_NEAR(best_z, 0, 1.5e-4) << law.id() << " C " << C;
  EXPECT_LE(a.loss, best * (1 + 1e-14)) << law.id();
}

TEST(Derived, ComputeOptimalAllocationMatchesBruteForce) {
  LawInput x;
  x.prec = {4, 3, 128};
  x.bits_w = 8, x.bits_a = 6, x.bits_kv = 4;
  x.eff_from_law = true;
  for (const Law* law : all_laws())
    for (const ConstantSet& set : law->sets())
      for (double C : {1e18, 1e21, 1e24}) expect_compute_optimal(*law, set, C, x);
}

TEST(Derived, ChinchillaComputeOptimalMatchesHoffmann) {
  // Hoffmann's approach-3 exponents: N_opt ~ C^(beta/(alpha+beta)) = C^0.45.
  const ConstantSet& set = chinchilla_law().sets().front();
  const Allocation a = compute_optimal(chinchilla_law(), set, 1e21, {});
  const Allocation b = compute_optimal(chinchilla_law(), set, 1e23, {});
  EXPECT_NEAR(std::log(b.N / a.N) / std::log(100.0), 0.28 / 0.62, 1e-12);
}

// Sun et al.: the compute-optimal precision lies in 4-8 bits for C in [1e21, 1e31].
TEST(Derived, SunOptimalPrecisionOfThePaper) {
  int prev = 0;
  for (int e = 21; e <= 31; ++e) {
    const PrecisionAnswer a = sun_optimal_precision(sun_c(), std::pow(10.0, e), 128, {}, {});
    EXPECT_GE(a.bits, 4);
    EXPECT_LE(a.bits, 8);
    EXPECT_GE(a.bits, prev);  // non-decreasing with compute
    prev = static_cast<int>(a.bits);
  }
  EXPECT_EQ(sun_optimal_precision(sun_c(), 1e21, 128, {}, {}).bits, 4);
  EXPECT_EQ(sun_optimal_precision(sun_c(), 1e31, 128, {}, {}).bits, 8);
}

// Brute force over every layout of every P (not just each P's best) and a ln N grid.
TEST(Derived, SunOptimalPrecisionMatchesBruteForce) {
  const Law& law = sun2025_law();
  for (double C : {1e20, 1e23, 1e27}) {
    for (int mode = 0; mode < 3; ++mode) {  // N free, N fixed, D fixed
      const std::optional<double> N = mode == 1 ? std::optional<double>(1e9) : std::nullopt;
      const std::optional<double> D = mode == 2 ? std::optional<double>(1e11) : std::nullopt;
      const PrecisionAnswer a = sun_optimal_precision(sun_c(), C, 128, N, D);
      double best = HUGE_VAL;
      int best_P = 0;
      for (int P = 2; P <= 32; ++P)
        for (int Eb = 0; Eb < P; ++Eb) {
          LawInput x;
          x.prec = {double(Eb), double(P - 1 - Eb), 128};
          const double K = C / (kComputePerBit * P);
          const int steps = mode == 0 ? 1500 : 0;
          for (int i = -steps; i <= steps; ++i) {  // ln N in [ln sqrt(K) +- 30], step 0.02
            x.N = N ? *N : D ? K / *D : std::sqrt(K) * std::exp(i * 0.02);
            x.D = K / x.N;
            const double L = law.loss(sun_c(), x);
            if (L < best) best = L, best_P = P;
          }
        }
      EXPECT_EQ(a.bits, best_P) << "C " << C << " mode " << mode;
      EXPECT_LE(a.at.loss, best * (1 + 1e-12));
      EXPECT_GE(a.at.loss, best * (1 - 1e-6));
    }
  }
}

// The real-valued optimum beside the integer one: P minimising L with the continuous layout
// Eb + .5 = delta P / (delta + nu), against a 0.001-bit grid over [2, 32] (N by the closed
// form of compute_optimal, or fixed). Published constants, Bs 128: about 4.19, 5.31, 7.58 at
// C = 1e21, 1e25, 1e31 (beside 4, 5, 8 bits).
TEST(Derived, SunContinuousPrecisionMatchesAFineGrid) {
  const Law& law = sun2025_law();
  ConstantSet set;
  set.values = sun_c();
  const double dl = sun_c()[sun::delta], nu = sun_c()[sun::nu];
  struct Case {
    double C;
    std::optional<double> N, D;
    double about;  // NaN: no published figure
  };
  const Case cases[] = {{1e21, {}, {}, 4.19},
                        {1e25, {}, {}, 5.31},
                        {1e31, {}, {}, 7.58},
                        {1e23, 1e9, {}, NAN},
                        {1e23, {}, 1e11, NAN}};
  for (const Case& k : cases) {
    const double P = sun_continuous_precision(sun_c(), k.C, 128, k.N, k.D);
    double best = HUGE_VAL, best_P = 0;
    for (double q = 2; q <= 32; q += 1e-3) {
      LawInput x;
      x.prec = {dl * q / (dl + nu) - 0.5, nu * q / (dl + nu) - 0.5, 128};
      const double K = k.C / (kComputePerBit * q);
      double L;
      if (k.N || k.D) {
        x.N = k.N ? *k.N : K / *k.D;
        x.D = K / x.N;
        L = law.loss(sun_c(), x);
      } else {
        L = compute_optimal(law, set, k.C, x).loss;
      }
      if (L < best) best = L, best_P = q;
    }
    EXPECT_NEAR(P, best_P, 1e-3) << "C " << k.C;
    if (!std::isnan(k.about)) EXPECT_NEAR(P, k.about, 0.005) << "C " << k.C;
    const double integer = sun_optimal_precision(sun_c(), k.C, 128, k.N, k.D).bits;
    EXPECT_LT(std::abs(P - integer), 1.0) << "C " << k.C;
  }
  // Through the Law interface: the integer answer with its layout, and the continuous one.
  PrecisionQuery q;
  q.C = 1e25;
  const PrecisionAnswer a = law.optimal_precision(sun_c(), q);
  EXPECT_EQ(a.bits, 5);
  ASSERT_TRUE(a.layout.has_value());
  EXPECT_NEAR(a.bits_continuous, sun_continuous_precision(sun_c(), 1e25, 128, {}, {}), 1e-9);
  // A fit without a continuous layout (nu <= 0) has no continuous optimum.
  std::vector<double> flat = sun_c();
  flat[sun::nu] = 0;
  EXPECT_TRUE(std::isnan(sun_continuous_precision(flat, 1e25, 128, {}, {})));
  // Laws without a precision sweep say so.
  EXPECT_THROW(chinchilla_law().optimal_precision(chinchilla_law().sets().front().values, q),
               Error);
  const PrecisionAnswer k = kumar2024_law().optimal_precision(kumar_c(), q);
  EXPECT_FALSE(k.layout.has_value());
  EXPECT_EQ(k.bits_continuous, k.bits);
}

TEST(Derived, KumarBestPrecisionIsAboutSevenBits) {
  const double P = kumar_best_precision(kumar_c());
  EXPECT_NEAR(P, 7.0, 0.05);
  // Brute force: max of N_eff(P)/(N P) on a 1e-4 grid.
  double best = 0, best_P = 0;
  for (double q = 3.2; q < 20; q += 1e-4) {
    const double v = kumar_neff_factor(kumar_c(), q, q, q) / q;
    if (v > best) best = v, best_P = q;
  }
  EXPECT_NEAR(P, best_P, 2e-4);
}

TEST(Derived, KumarOptimalPrecisionMatchesBruteForce) {
  const Law& law = kumar2024_law();
  for (double C : {1e19, 1e22}) {
    for (int mode = 0; mode < 3; ++mode) {
      const std::optional<double> N = mode == 1 ? std::optional<double>(2e8) : std::nullopt;
      const std::optional<double> D = mode == 2 ? std::optional<double>(2e10) : std::nullopt;
      const PrecisionAnswer a = kumar_optimal_precision(kumar_c(), C, N, D);
      double best = HUGE_VAL, best_P = 0;
      for (double P = 3.2; P < 30; P += 1e-3) {
        LawInput x;
        x.bits_w = x.bits_a = x.bits_kv = P;
        const double K = C / (kComputePerBit * P);
        double L;
        if (N || D) {
          x.N = N ? *N : K / *D;
          x.D = K / x.N;
          L = law.loss(kumar_c(), x);
        } else {
          ConstantSet set;
          set.values = kumar_c();
          L = compute_optimal(law, set, C, x).loss;
        }
        if (L < best) best = L, best_P = P;
      }
      EXPECT_NEAR(a.bits, best_P, 2e-3) << "C " << C << " mode " << mode;
      EXPECT_LE(a.at.loss, best * (1 + 1e-12));
    }
  }
}

TEST(Derived, BadInputsAreErrors) {
  EXPECT_THROW(best_split(sun_c(), 1), Error);
  EXPECT_THROW(sun_optimal_precision(sun_c(), -1, 128, {}, {}), Error);
  EXPECT_THROW(sun_optimal_precision(sun_c(), 1e21, 128, 1e9, 1e11), Error);
  EXPECT_THROW(kumar_neff_factor(kumar_c(), 8, 3, 8), Error);
}

}  // namespace
}  // namespace lowp::study
