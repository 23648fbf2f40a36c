// The precision-free laws: Chinchilla (Hoffmann et al. 2022; Epoch replication) and Kaplan.
#include <cmath>

#include "study/law.h"
#include "util/error.h"

namespace lowp::study {
namespace {

// Start grids: Hoffmann et al.'s own (a, b in {0, .5, .., 2}, ln E in {-1, -.5, .., 1},
// ln A, ln B in {0, 5, .., 25}).
const std::vector<double> kExpGrid = {0, 0.5, 1, 1.5, 2};
const std::vector<double> kLogCoefGrid = {0, 5, 10, 15, 20, 25};
const std::vector<double> kLogFloorGrid = {-1, -0.5, 0, 0.5, 1};

// Hoffmann et al. fitted 70M-16B parameters on 5B-500B tokens.
const Range kChinchillaRange = {true, 7e7, 1.6e10, 5e9, 5e11};

class Chinchilla final : public TableLaw {
 public:
  Chinchilla()
      : TableLaw(
            "chinchilla", "Hoffmann et al. 2022, Training Compute-Optimal Large Language Models",
            "L = E + A * N^-alpha + B * D^-beta",
            {{"E", "irreducible loss (nats)", true, false, -10, 5, kLogFloorGrid},
             {"A", "parameter-term coefficient", true, false, -20, 60, kLogCoefGrid},
             {"B", "data-term coefficient", true, false, -20, 60, kLogCoefGrid},
             {"alpha", "parameter exponent", false, false, -1, 5, kExpGrid},
             {"beta", "data exponent", false, false, -1, 5, kExpGrid}},
            {{"",
              "hoffmann",
              "Hoffmann et al. 2022, approach 3 (eq. 10): E 1.69, A 406.4, B 410.7, alpha 0.34, "
              "beta 0.28",
              {1.69, 406.4, 410.7, 0.34, 0.28},
              kChinchillaRange,
              ""},
             {"",
              "epoch",
              "Besiroglu et al. 2024, Chinchilla Scaling: A replication attempt (Epoch AI), refit "
              "of Hoffmann's approach 3 data",
              {1.8172, 482.01, 2085.43, 0.3478, 0.3658},
              kChinchillaRange,
              ""}}) {}

  double loss(const std::vector<double>& c, const LawInput& x) const override {
    return c[chin::E] + c[chin::A] * std::pow(x.N, -c[chin::alpha]) +
           c[chin::B] * std::pow(x.D, -c[chin::beta]);
  }

  // ln L = LSE(ln E, ln A - alpha ln N, ln B - beta ln D).
  double log_loss(const double* p, const LawInput& x, double* g) const override {
    const double lnN = std::log(x.N), lnD = std::log(x.D);
    const double t[3] = {p[chin::E], p[chin::A] - p[chin::alpha] * lnN,
                         p[chin::B] - p[chin::beta] * lnD};
    double w[3];
    const double lse = log_sum_exp(t, 3, w);
    if (g) {
      g[chin::E] = w[0];
      g[chin::A] = w[1];
      g[chin::B] = w[2];
      g[chin::alpha] = -w[1] * lnN;
      g[chin::beta] = -w[2] * lnD;
    }
    return lse;
  }
};

// Kaplan et al. trained 768 to 1.5e9 non-embedding parameters on 22M to 23B tokens.
class Kaplan final : public TableLaw {
 public:
  Kaplan()
      : TableLaw("kaplan", "Kaplan et al. 2020, Scaling Laws for Neural Language Models (eq. 1.5)",
                 "L = [(Nc/N)^(alphaN/alphaD) + Dc/D]^alphaD",
                 {{"Nc", "parameter scale", true, false, -20, 100, {10, 20, 30, 40}},
                  {"Dc", "token scale", true, false, -20, 100, {10, 20, 30, 40}},
                  {"alphaN", "parameter exponent", false, false, 1e-3, 5, {0.05, 0.1, 0.2, 0.4}},
                  {"alphaD", "data exponent", false, false, 1e-3, 5, {0.05, 0.1, 0.2, 0.4}}},
                 {{"",
                   "published",
                   "Kaplan et al. 2020, table 2: alphaN 0.076, alphaD 0.103, Nc 6.4e13, Dc 1.8e13",
                   {6.4e13, 1.8e13, 0.076, 0.103},
                   {true, 768, 1.5e9, 2.2e7, 2.3e10},
                   ""}}) {}

  double loss(const std::vector<double>& c, const LawInput& x) const override {
    const double r = c[kap::alphaN] / c[kap::alphaD];
    return std::pow(std::pow(c[kap::Nc] / x.N, r) + c[kap::Dc] / x.D, c[kap::alphaD]);
  }

  // ln L = alphaD * LSE(u1, u2), u1 = (alphaN/alphaD)(ln Nc - ln N), u2 = ln Dc - ln D.
  double log_loss(const double* p, const LawInput& x, double* g) const override {
    const double aN = p[kap::alphaN], aD = p[kap::alphaD];
    const double dn = p[kap::Nc] - std::log(x.N);
    const double u[2] = {aN / aD * dn, p[kap::Dc] - std::log(x.D)};
    double w[2];
    const double s = log_sum_exp(u, 2, w);
    if (g) {
      g[kap::Nc] = w[0] * aN;
      g[kap::Dc] = w[1] * aD;
      g[kap::alphaN] = w[0] * dn;
      g[kap::alphaD] = s - w[0] * u[0];
    }
    return aD * s;
  }
};

}  // namespace

const Law& chinchilla_law() {
  static const Chinchilla law;
  return law;
}

const Law& kaplan_law() {
  static const Kaplan law;
  return law;
}

}  // namespace lowp::study
