// The precision-aware laws: sun2025 (floating-point layout and block size), kumar2024
// (effective parameters per quantized operand) and quartet (effective N and D multipliers).
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "study/derived.h"
#include "study/law.h"
#include "util/error.h"

namespace lowp::study {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<double> kExpGrid = {0, 0.5, 1, 1.5, 2};
const std::vector<double> kLogCoefGrid = {0, 5, 10, 15, 20, 25};
const std::vector<double> kLogFloorGrid = {-1, -0.5, 0, 0.5, 1};

// L = n N^-a + d D^-b + eps + (D^b / N^a) log2(Bs) / (g (Eb+.5)^dl (Mb+.5)^nu).
class Sun2025 final : public TableLaw {
 public:
  Sun2025()
      : TableLaw("sun2025",
                 "Sun et al. 2025, Scaling Laws for Floating-Point Quantization Training",
                 "L = n*N^-alpha + d*D^-beta + epsilon + (D^beta / N^alpha) * log2(Bs) / "
                 "(gamma * (Eb+0.5)^delta * (Mb+0.5)^nu)",
                 {{"n", "parameter-term coefficient", true, false, -20, 60, kLogCoefGrid},
                  {"alpha", "parameter exponent", false, false, -1, 5, kExpGrid},
                  {"d", "data-term coefficient", true, false, -20, 60, kLogCoefGrid},
                  {"beta", "data exponent", false, false, -1, 5, kExpGrid},
                  {"epsilon", "irreducible loss (nats)", true, false, -10, 5, kLogFloorGrid},
                  {"gamma", "precision-term denominator", true, true, -20, 60, {0, 5, 10, 15}},
                  {"delta", "exponent-bit exponent", false, true, -2, 20, {0.5, 1.5, 3, 5}},
                  {"nu", "mantissa-bit exponent", false, true, -2, 20, {0.5, 1.5, 3, 5}}},
                 {{"",
                   "published",
                   "Sun et al. 2025 (ICML), eq. of the unified FP quantization law; channel-wise "
                   "scaling counts as log2 Bs = 13.1567",
                   {69.2343, 0.2368, 68973.0621, 0.5162, 1.9061, 11334.5197, 3.1926, 2.9543},
                   {true, 4.1e7, 6.79e8, 1e10, 1e11},
                   ""}}) {}

  double loss(const std::vector<double>& c, const LawInput& x) const override {
    check_bs(x.prec.Bs);
    const Precision& p = x.prec;
    return c[sun::n] * std::pow(x.N, -c[sun::alpha]) + c[sun::d] * std::pow(x.D, -c[sun::beta]) +
           c[sun::eps] +
           std::pow(x.D, c[sun::beta]) / std::pow(x.N, c[sun::alpha]) * std::log2(p.Bs) /
               (c[sun::gamma] * std::pow(p.Eb + 0.5, c[sun::delta]) *
                std::pow(p.Mb + 0.5, c[sun::nu]));
  }

  // ln L = LSE(ln n - alpha lnN, ln d - beta lnD, ln eps,
  //            beta lnD - alpha lnN + ln log2 Bs - ln gamma - delta ln(Eb+.5) - nu ln(Mb+.5)).
  double log_loss(const double* p, const LawInput& x, double* g) const override {
    if (!(x.prec.Bs >= 1)) return kNaN;
    const double lnN = std::log(x.N), lnD = std::log(x.D);
    const double le = std::log(x.prec.Eb + 0.5), lm = std::log(x.prec.Mb + 0.5);
    const double lb = std::log(std::log2(x.prec.Bs));  // -inf for Bs = 1: no precision term
    const double t[4] = {p[sun::n] - p[sun::alpha] * lnN, p[sun::d] - p[sun::beta] * lnD,
                         p[sun::eps],
                         p[sun::beta] * lnD - p[sun::alpha] * lnN + lb - p[sun::gamma] -
                             p[sun::delta] * le - p[sun::nu] * lm};
    double w[4];
    const double lse = log_sum_exp(t, 4, w);
    if (g) {
      g[sun::n] = w[0];
      g[sun::alpha] = -(w[0] + w[3]) * lnN;
      g[sun::d] = w[1];
      g[sun::beta] = (w[3] - w[1]) * lnD;
      g[sun::eps] = w[2];
      g[sun::gamma] = -w[3];
      g[sun::delta] = -w[3] * le;
      g[sun::nu] = -w[3] * lm;
    }
    return lse;
  }

  bool high_precision(const LawInput& x) const override {
    return x.prec.bits() >= kHighPrecisionBits;
  }

  // The precision term is -ln gamma - delta a - nu b over the distinct layouts (a, b) =
  // (ln(Eb+.5), ln(Mb+.5)): gamma, delta, nu need the layouts to span a plane.
  std::vector<std::pair<int, std::string>> unidentifiable(
      const std::vector<LawInput>& xs) const override {
    bool any_low = false;
    std::set<double> eb, mb;
    std::set<std::pair<double, double>> layouts;
    for (const auto& x : xs) {
      any_low |= !high_precision(x);
      eb.insert(x.prec.Eb);
      mb.insert(x.prec.Mb);
      layouts.insert({x.prec.Eb, x.prec.Mb});
    }
    if (!any_low) {
      const std::string why = "every row has >= 16 bits, so the precision term is not measured";
      return {{sun::gamma, why}, {sun::delta, why}, {sun::nu, why}};
    }
    if (layouts.size() == 1) {
      const std::string why = "every row has the same layout (Eb, Mb)";
      return {{sun::delta, why}, {sun::nu, why}};
    }
    if (eb.size() == 1) return {{sun::delta, "every row has the same Eb"}};
    if (mb.size() == 1) return {{sun::nu, "every row has the same Mb"}};
    if (!spans_plane(layouts))
      return {{sun::nu,
               "the layouts vary Eb and Mb together, so delta and nu cannot be told "
               "apart; nu is held"}};
    return {};
  }

  std::vector<std::pair<std::string, double>> bit_inputs(const LawInput& x) const override {
    return {{"P", x.prec.bits()}};
  }

  PrecisionAnswer optimal_precision(const std::vector<double>& c,
                                    const PrecisionQuery& q) const override {
    PrecisionAnswer a = sun_optimal_precision(c, q.C, q.Bs, q.N, q.D);
    a.bits_continuous = sun_continuous_precision(c, q.C, q.Bs, q.N, q.D);
    return a;
  }

 private:
  static void check_bs(double bs) {
    if (!(bs >= 1)) fail("sun2025 needs a block size Bs >= 1, got " + num(bs));
  }
  // True when the points (1, ln(Eb+.5), ln(Mb+.5)) have rank 3.
  static bool spans_plane(const std::set<std::pair<double, double>>& layouts) {
    std::vector<std::pair<double, double>> v;
    for (const auto& [e, m] : layouts) v.push_back({std::log(e + 0.5), std::log(m + 0.5)});
    for (size_t i = 1; i < v.size(); ++i)
      for (size_t j = i + 1; j < v.size(); ++j) {
        const double ax = v[i].first - v[0].first, ay = v[i].second - v[0].second;
        const double bx = v[j].first - v[0].first, by = v[j].second - v[0].second;
        if (std::abs(ax * by - ay * bx) > 1e-9) return true;
      }
    return false;
  }
};

// L = A N_eff^-alpha + B D^-alpha + E, N_eff = N prod_x (1 - exp(-P_x/gamma_x + n_x)).
class Kumar2024 final : public TableLaw {
 public:
  Kumar2024()
      : TableLaw(
            "kumar2024", "Kumar et al. 2024, Scaling Laws for Precision (quantized training)",
            "L = A*N_eff^-alpha + B*D^-alpha + E, N_eff = N * prod over x in {w, a, kv} of "
            "(1 - exp(-P_x/gamma_x + n_x))",
            {{"A", "parameter-term coefficient", true, false, -20, 60, kLogCoefGrid},
             {"alpha", "exponent of both terms", false, false, -1, 5, kExpGrid},
             {"B", "data-term coefficient", true, false, -20, 60, kLogCoefGrid},
             {"E", "irreducible loss (nats)", true, false, -10, 5, kLogFloorGrid},
             {"gamma_w", "weight precision scale (bits)", true, true, -5, 5, {0, 1}},
             {"n_w", "weight precision offset", false, true, -20, 20, {0, 1.5}},
             {"gamma_a", "activation precision scale (bits)", true, true, -5, 5, {0, 1}},
             {"n_a", "activation precision offset", false, true, -20, 20, {0, 1.5}},
             {"gamma_kv", "KV-cache precision scale (bits)", true, true, -5, 5, {0, 1}},
             {"n_kv", "KV-cache precision offset", false, true, -20, 20, {0, 1.5}}},
            {{"",
              "published",
              "Kumar et al. 2024 (ICLR 2025), Scaling Laws for Precision: quantized-training fit",
              {4299, 0.4965, 18060, 2.7648, 2.6745, 0.3037, 2.2102, 1.4072, 0.9578, 2.4185},
              {true, 3e7, 2.2e8, 1.5e9, 2.6e10, 3, 16},
              ""}}) {}

  double loss(const std::vector<double>& c, const LawInput& x) const override {
    double neff = x.N;
    for (int o = 0; o < 3; ++o) {
      const double P = bits(x, o), gx = c[kum::gamma_w + 2 * o], nx = c[kum::n_w + 2 * o];
      const double f = 1 - std::exp(-P / gx + nx);
      if (!(f > 0))
        fail("kumar2024 is undefined at " + std::string(kOperand[o]) + " = " + num(P) +
             " bits: 1 - exp(-P/gamma + n) = " + num(f) +
             " <= 0 (it needs P > n*gamma = " + num(nx * gx) + " bits)");
      neff *= f;
    }
    return c[kum::A] * std::pow(neff, -c[kum::alpha]) + c[kum::B] * std::pow(x.D, -c[kum::alpha]) +
           c[kum::E];
  }

  // ln L = LSE(ln A - alpha ln N_eff, ln B - alpha ln D, ln E), ln N_eff = ln N + sum ln f_x,
  // ln f_x = log1p(-e^u), u = -P e^(-ln gamma) + n.
  double log_loss(const double* p, const LawInput& x, double* g) const override {
    double lneff = std::log(x.N);
    double dlnf_du[3], du_dlng[3];
    for (int o = 0; o < 3; ++o) {
      const double P = bits(x, o), gx = std::exp(p[kum::gamma_w + 2 * o]);
      const double e = std::exp(-P / gx + p[kum::n_w + 2 * o]);
      if (!(e < 1)) return kNaN;
      lneff += std::log1p(-e);
      dlnf_du[o] = -e / (1 - e);
      du_dlng[o] = P / gx;
    }
    const double lnD = std::log(x.D), a = p[kum::alpha];
    const double t[3] = {p[kum::A] - a * lneff, p[kum::B] - a * lnD, p[kum::E]};
    double w[3];
    const double lse = log_sum_exp(t, 3, w);
    if (g) {
      g[kum::A] = w[0];
      g[kum::alpha] = -w[0] * lneff - w[1] * lnD;
      g[kum::B] = w[1];
      g[kum::E] = w[2];
      for (int o = 0; o < 3; ++o) {
        const double d_du = -a * w[0] * dlnf_du[o];
        g[kum::n_w + 2 * o] = d_du;
        g[kum::gamma_w + 2 * o] = d_du * du_dlng[o];
      }
    }
    return lse;
  }

  bool high_precision(const LawInput& x) const override {
    return std::min({x.bits_w, x.bits_a, x.bits_kv}) >= kHighPrecisionBits;
  }

  // (gamma_x, n_x) shape f_x(P_x) up to the scale that A absorbs: they need 3 distinct P_x,
  // and an operand whose bits equal an earlier operand's on every row is not separable.
  std::vector<std::pair<int, std::string>> unidentifiable(
      const std::vector<LawInput>& xs) const override {
    std::vector<std::pair<int, std::string>> out;
    for (int o = 0; o < 3; ++o) {
      std::set<double> distinct;
      for (const auto& x : xs) distinct.insert(bits(x, o));
      std::string why;
      if (distinct.size() < 3)
        why = "the rows have " + std::to_string(distinct.size()) + " distinct " + kOperand[o] +
              " value(s); gamma and n need at least 3";
      for (int q = 0; q < o && why.empty(); ++q) {
        bool same = true;
        for (const auto& x : xs) same &= bits(x, o) == bits(x, q);
        if (same)
          why = std::string(kOperand[o]) + " equals " + kOperand[q] +
                " on every row, so their factors cannot be told apart";
      }
      if (!why.empty()) {
        out.push_back({kum::gamma_w + 2 * o, why});
        out.push_back({kum::n_w + 2 * o, why});
      }
    }
    return out;
  }

  std::vector<std::pair<std::string, double>> bit_inputs(const LawInput& x) const override {
    return {{"P_w", x.bits_w}, {"P_a", x.bits_a}, {"P_kv", x.bits_kv}};
  }

  PrecisionAnswer optimal_precision(const std::vector<double>& c,
                                    const PrecisionQuery& q) const override {
    return kumar_optimal_precision(c, q.C, q.N, q.D);
  }

 private:
  static constexpr const char* kOperand[3] = {"P_w", "P_a", "P_kv"};
  static double bits(const LawInput& x, int o) {
    return o == 0 ? x.bits_w : o == 1 ? x.bits_a : x.bits_kv;
  }
};

// L = (A (N effN)^-alpha + B (D effD)^-beta)^gamma + E.
class Quartet final : public TableLaw {
 public:
  Quartet()
      : TableLaw(
            "quartet", "Castro et al. 2025, Quartet: Native FP4 Training Can Be Optimal for LLMs",
            "L = (A*(N*effN)^-alpha + B*(D*effD)^-beta)^gamma + E; effN = effD = 1 for >= 16-bit "
            "runs",
            {{"A", "parameter-term coefficient", true, false, -20, 60, {0, 6, 12, 18, 24}},
             {"alpha", "parameter exponent", false, false, -1, 5, {0.3, 0.6, 1.2}},
             {"B", "data-term coefficient", true, false, -20, 60, {0, 6, 12, 18, 24}},
             {"beta", "data exponent", false, false, -1, 5, {0.3, 0.6, 1.2}},
             {"gamma", "outer exponent", false, false, 0.01, 5, {0.25, 0.5, 1}},
             {"E", "irreducible loss (nats)", true, false, -10, 5, {-1, 0, 1}},
             {"effN",
              "parameter efficiency of the low-precision format",
              true,
              true,
              -10,
              3,
              {std::log(0.3), std::log(0.6), std::log(0.9)}},
             {"effD",
              "data efficiency of the low-precision format",
              true,
              true,
              -10,
              3,
              {std::log(0.3), std::log(0.6), std::log(0.9)}}},
            {{"",
              "published",
              "Castro et al. 2025 (Quartet); effN = 0.65 for MXFP4 forward with QuEST, effD = "
              "0.95 for MXFP4 backward with stochastic rounding and random Hadamard transforms",
              {1.52e5, 0.589, 5.25e5, 0.544, 0.274, 1.35, 0.65, 0.95},
              {true, 3e7, 2e8, 7.5e8, 1.6e11},  // 30M-200M params, 25-800 tokens/param
              "mxfp4"}}) {}

  double loss(const std::vector<double>& c, const LawInput& x) const override {
    const double en = x.eff_from_law ? c[qrt::effN] : x.eff_n;
    const double ed = x.eff_from_law ? c[qrt::effD] : x.eff_d;
    return std::pow(c[qrt::A] * std::pow(x.N * en, -c[qrt::alpha]) +
                        c[qrt::B] * std::pow(x.D * ed, -c[qrt::beta]),
                    c[qrt::gamma]) +
           c[qrt::E];
  }

  // ln L = LSE(gamma S, ln E), S = LSE(ln A - alpha ln(N effN), ln B - beta ln(D effD)).
  double log_loss(const double* p, const LawInput& x, double* g) const override {
    const double lnN = std::log(x.N) + (x.eff_from_law ? p[qrt::effN] : std::log(x.eff_n));
    const double lnD = std::log(x.D) + (x.eff_from_law ? p[qrt::effD] : std::log(x.eff_d));
    const double s[2] = {p[qrt::A] - p[qrt::alpha] * lnN, p[qrt::B] - p[qrt::beta] * lnD};
    double v[2];
    const double S = log_sum_exp(s, 2, v);
    const double t[2] = {p[qrt::gamma] * S, p[qrt::E]};
    double w[2];
    const double lse = log_sum_exp(t, 2, w);
    if (g) {
      const double k = w[0] * p[qrt::gamma];
      g[qrt::A] = k * v[0];
      g[qrt::alpha] = -k * v[0] * lnN;
      g[qrt::B] = k * v[1];
      g[qrt::beta] = -k * v[1] * lnD;
      g[qrt::gamma] = w[0] * S;
      g[qrt::E] = w[1];
      g[qrt::effN] = x.eff_from_law ? -k * v[0] * p[qrt::alpha] : 0;
      g[qrt::effD] = x.eff_from_law ? -k * v[1] * p[qrt::beta] : 0;
    }
    return lse;
  }

  bool high_precision(const LawInput& x) const override { return !x.eff_from_law; }

  std::vector<std::pair<int, std::string>> unidentifiable(
      const std::vector<LawInput>& xs) const override {
    for (const auto& x : xs)
      if (x.eff_from_law) return {};
    const std::string why = "no row is in a low-precision format";
    return {{qrt::effN, why}, {qrt::effD, why}};
  }
};

}  // namespace

const Law& sun2025_law() {
  static const Sun2025 law;
  return law;
}

const Law& kumar2024_law() {
  static const Kumar2024 law;
  return law;
}

const Law& quartet_law() {
  static const Quartet law;
  return law;
}

}  // namespace lowp::study
