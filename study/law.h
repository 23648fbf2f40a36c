// The scaling laws behind one interface: formulas, log-space gradients, published constants.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "study/precision.h"

namespace lowp::study {

// One point where a law is evaluated: N parameters (non-embedding), D tokens, and the
// precision inputs the law reads (each law ignores the others).
struct LawInput {
  double N = 0, D = 0;
  Precision prec;                                 // sun2025: the training format
  double bits_w = 16, bits_a = 16, bits_kv = 16;  // kumar2024: bits of weights, activations, KV
  double eff_n = 1, eff_d = 1;                    // quartet, used when !eff_from_law
  bool eff_from_law = false;  // quartet: a low-precision row takes the constants' effN, effD
};

// The region a constant set was fitted on; answers outside it are extrapolations.
struct Range {
  bool known = true;
  double n_lo = 0, n_hi = 0, d_lo = 0, d_hi = 0;
  double bits_lo = 0, bits_hi = 0;  // both 0: no precision range recorded
};

// One set of constants for a law (published or fitted), in Law::params() order.
struct ConstantSet {
  std::string law;     // law id
  std::string name;    // "hoffmann", "epoch", "published", "fit", ...
  std::string source;  // citation, or the file it was read from
  std::vector<double> values;
  Range range;
  std::string eff_format;  // quartet: the low-precision format effN and effD belong to
};

// The question of `lowp law optimal-precision`: compute C, the scaling block size Bs (for laws
// that read one), and at most one of N and D fixed (else both are compute-optimal).
struct PrecisionQuery {
  double C = 0;
  double Bs = 128;
  std::optional<double> N, D;
};
struct PrecisionAnswer;  // study/derived.h

// One constant of a law. Fit space: log for positive constants, the value itself otherwise.
struct Param {
  const char* name;  // as `lowp law show` prints it and fit.json keys it
  const char* meaning;
  bool log_space;            // a positive constant, fitted as its log
  bool precision;            // a precision term (fitted in stage 2 of the stage-wise fit)
  double lo, hi;             // bounds in fit space
  std::vector<double> grid;  // start values in fit space
};

class Law {
 public:
  virtual ~Law() = default;
  virtual const char* id() const = 0;
  virtual const char* paper() const = 0;
  virtual const char* formula() const = 0;
  virtual const std::vector<Param>& params() const = 0;
  virtual const std::vector<ConstantSet>& sets() const = 0;  // published; [0] is the default
  // The plain formula, the oracle for log_loss. Throws lowp::Error where undefined.
  virtual double loss(const std::vector<double>& c, const LawInput& x) const = 0;
  // ln L at fit-space parameters phi, and d lnL / d phi into grad (if not null). Returns NaN
  // where the law is undefined (kumar2024: an N_eff factor <= 0) instead of throwing.
  virtual double log_loss(const double* phi, const LawInput& x, double* grad) const = 0;
  // Rows of at least kHighPrecisionBits: the stage-1 runs of a stage-wise fit.
  virtual bool high_precision(const LawInput&) const { return true; }
  // Parameters these rows cannot determine, as (index, reason); the fitter freezes them.
  virtual std::vector<std::pair<int, std::string>> unidentifiable(
      const std::vector<LawInput>&) const {
    return {};
  }
  // The compute-optimal precision (study/derived.h). Throws lowp::Error for laws without a
  // precision sweep (the default).
  virtual PrecisionAnswer optimal_precision(const std::vector<double>& c,
                                            const PrecisionQuery& q) const;
  // The precision inputs checked against Range::bits_lo/hi, as (name, bits).
  virtual std::vector<std::pair<std::string, double>> bit_inputs(const LawInput&) const {
    return {};
  }

  size_t size() const { return params().size(); }
  int index(std::string_view name) const;  // throws lowp::Error naming the valid names
  bool has_precision_terms() const;
};

// A law whose descriptive parts are data; subclasses add the formulas.
class TableLaw : public Law {
 public:
  TableLaw(const char* id, const char* paper, const char* formula, std::vector<Param> params,
           std::vector<ConstantSet> sets)
      : id_(id),
        paper_(paper),
        formula_(formula),
        params_(std::move(params)),
        sets_(std::move(sets)) {
    for (auto& s : sets_) s.law = id_;
  }
  const char* id() const override { return id_; }
  const char* paper() const override { return paper_; }
  const char* formula() const override { return formula_; }
  const std::vector<Param>& params() const override { return params_; }
  const std::vector<ConstantSet>& sets() const override { return sets_; }

 private:
  const char* id_;
  const char* paper_;
  const char* formula_;
  std::vector<Param> params_;
  std::vector<ConstantSet> sets_;
};

// Parameter indices, shared by the law definitions and the derived answers.
namespace chin {
enum : int { E, A, B, alpha, beta };
}
namespace kap {
enum : int { Nc, Dc, alphaN, alphaD };
}
namespace sun {
enum : int { n, alpha, d, beta, eps, gamma, delta, nu };
}
namespace kum {
enum : int { A, alpha, B, E, gamma_w, n_w, gamma_a, n_a, gamma_kv, n_kv };
}
namespace qrt {
enum : int { A, alpha, B, beta, gamma, E, effN, effD };
}

const Law& chinchilla_law();
const Law& kaplan_law();
const Law& sun2025_law();
const Law& kumar2024_law();
const Law& quartet_law();
const std::vector<const Law*>& all_laws();

// A law and the constant set a command works with.
struct LawRef {
  const Law* law = nullptr;
  ConstantSet set;
};
// "chinchilla" (the default set) or "chinchilla:epoch"; throws naming the valid choices.
LawRef resolve_law(std::string_view spec);

std::vector<double> to_fit_space(const Law& law, const std::vector<double>& c);
std::vector<double> from_fit_space(const Law& law, const std::vector<double>& phi);

// ln(sum exp(t_i)) and its weights w_i = exp(t_i - lse); -inf terms get weight 0.
double log_sum_exp(const double* t, int n, double* w);

// Checks N, D and the law's precision inputs against the set's fitted range; one note per
// violation (text after "extrapolation: ").
std::vector<std::string> range_notes(const Law& law, const ConstantSet& set, const LawInput& x);
// N and D alone (NaN: not checked), named as `n_name` and `d_name` in the notes.
std::vector<std::string> range_notes_nd(const ConstantSet& set, double N, double D,
                                        const char* n_name = "N", const char* d_name = "D");

// Compact number for messages: 1.2e+09.
std::string num(double v, int digits = 4);

}  // namespace lowp::study
