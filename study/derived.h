// Derived answers of the laws: best exponent/mantissa split, critical data size, compute-optimal
// N and D, compute-optimal precision. Closed forms, or the exact root of a first-order condition.
#pragma once

#include <cmath>
#include <optional>
#include <vector>

#include "study/law.h"

namespace lowp::study {

// Compute of a run: C = k_c * P * N * D with k_c = 6/16, so P = 16 gives 6ND (laws.md).
inline constexpr double kComputePerBit = 6.0 / 16.0;
// The bits a law's run is costed at: its format (sun2025), the widest operand (kumar2024),
// else 16 (chinchilla, kaplan and quartet count 6ND).
double compute_bits(const Law& law, const LawInput& x);

// --- sun2025: the layout of P bits maximises delta ln(Eb+.5) + nu ln(Mb+.5), Eb + Mb = P-1 ---
struct Split {
  int Eb = 0, Mb = 0;
  double score = 0;  // delta ln(Eb+.5) + nu ln(Mb+.5); the precision term scales as exp(-score)
};
struct SplitAnswer {
  Split best, runner_up;     // runner_up.Eb < 0 when P has a single layout
  double penalty_ratio = 0;  // runner-up's precision term / best's = exp(best - runner-up score)
  double Eb_continuous = 0;  // delta P / (delta + nu) - 0.5
};
// Closed form: the best layout is floor or ceil of the continuous optimum (the score is concave).
SplitAnswer best_split(const std::vector<double>& sun_c, int P);

// D_crit = [d gamma N^alpha (Eb+.5)^delta (Mb+.5)^nu / log2 Bs]^(1/(2 beta)): dL/dD = 0.
double critical_data(const std::vector<double>& sun_c, double N, const Precision& p);

struct Allocation {
  double N = 0, D = 0, loss = 0;
};

// Compute-optimal N and D at fixed precision for compute C. chinchilla, kaplan, quartet and
// kumar2024 have closed forms; sun2025 solves its stationarity condition, which is strictly
// monotone in ln N, by bisection to machine precision.
Allocation compute_optimal(const Law& law, const ConstantSet& set, double C, const LawInput& x);

// Compute-optimal precision: the bits P minimising L at compute C with N and D free, or one of
// them fixed (the other is C / (k_c P N)).
struct PrecisionAnswer {
  double bits = 0;               // sun2025: an integer; kumar2024: continuous
  double bits_continuous = NAN;  // sun2025: the real-valued optimum (see below); NaN
                                 // where not computed; kumar2024: bits
  std::optional<Split> layout;   // sun2025: the best layout of those bits
  LawInput x;                    // the law's input at the answer (precision, N, D)
  Allocation at;                 // N, D and loss there
  bool at_boundary = false;      // the optimum is at the edge of the searched bits
};
// sun2025 searches integer P in [2, 32] with each P's best layout, scaling Bs fixed.
PrecisionAnswer sun_optimal_precision(const std::vector<double>& sun_c, double C, double Bs,
                                      std::optional<double> N, std::optional<double> D);
// sun2025 over real P in [2, 32] with the continuous layout Eb + 0.5 = delta P / (delta + nu),
// Mb + 0.5 = nu P / (delta + nu): where the integer answer's precision would sit if bits came
// in fractions (C = 1e21, 1e25, 1e31 at Bs 128: about 4.19, 5.31, 7.58 beside 4, 5, 8).
// NaN when delta or nu is not positive (no continuous layout).
double sun_continuous_precision(const std::vector<double>& sun_c, double C, double Bs,
                                std::optional<double> N, std::optional<double> D);
// kumar2024 with P_w = P_a = P_kv = P (continuous). N free or D fixed: P maximises
// N_eff(P) / (N P), independent of C; N fixed: minimises L(P) directly.
PrecisionAnswer kumar_optimal_precision(const std::vector<double>& kumar_c, double C,
                                        std::optional<double> N, std::optional<double> D);

// kumar2024: prod_x (1 - exp(-P_x/gamma_x + n_x)); throws where a factor is <= 0.
double kumar_neff_factor(const std::vector<double>& kumar_c, double Pw, double Pa, double Pkv);
// The P maximising N_eff(P)/P with all operands at P (Kumar et al.: about 7 bits).
double kumar_best_precision(const std::vector<double>& kumar_c);
double kumar_best_precision(const std::vector<double>& kumar_c, bool* at_edge);

}  // namespace lowp::study
