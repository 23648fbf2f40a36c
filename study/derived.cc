// Derived answers: closed forms, and exact roots of monotone first-order conditions.
#include "study/derived.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "util/error.h"

namespace lowp::study {
namespace {

void need_positive(double v, const char* what) {
  if (!(v > 0) || !std::isfinite(v))
    fail(std::string(what) + " must be positive and finite, got " + num(v));
}

// min over N of A N^-a + B (K/N)^-b: N^(a+b) = a A K^b / (b B).
double two_term_lnN(double A, double a, double B, double b, double K) {
  if (!(a > 0 && b > 0)) fail("compute-optimal allocation needs positive exponents");
  return (std::log(a * A / (b * B)) + b * std::log(K)) / (a + b);
}

// Root of a strictly increasing g on the real line, to machine precision: expands a bracket
// from z0, then bisects.
double increasing_root(const std::function<double(double)>& g, double z0) {
  double lo = z0, hi = z0, step = 1;
  if (g(z0) < 0) {
    while (g(hi) < 0 && step < 1e6) hi = z0 + (step *= 2);
  } else {
    while (g(lo) >= 0 && step < 1e6) lo = z0 - (step *= 2);
  }
  for (int i = 0; i < 300 && hi - lo > 1e-15 * std::max(1.0, std::abs(lo)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (g(mid) < 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Minimiser of f on (lo, hi]: a grid of n points finds the basin, then bisection of the
// derivative df inside it. `at_edge` reports a minimum on the grid's first or last point.
double argmin_1d(const std::function<double(double)>& f, const std::function<double(double)>& df,
                 double lo, double hi, int n, bool* at_edge) {
  int best = 0;
  double fbest = HUGE_VAL;
  auto xs = [&](int i) { return lo + (hi - lo) * (i + 1) / n; };
  for (int i = 0; i < n; ++i) {
    const double v = f(xs(i));
    if (v < fbest) fbest = v, best = i;
  }
  *at_edge = best == 0 || best == n - 1;
  if (*at_edge) return xs(best);
  double a = xs(best - 1), b = xs(best + 1);
  if (!(df(a) < 0 && df(b) > 0)) return xs(best);
  for (int i = 0; i < 200 && b - a > 1e-15 * b; ++i) {
    const double mid = 0.5 * (a + b);
    (df(mid) < 0 ? a : b) = mid;
  }
  return 0.5 * (a + b);
}

// d ln f_x / dP summed over the three operands at a common P.
double kumar_dlnf(const std::vector<double>& c, double P) {
  double s = 0;
  for (int o = 0; o < 3; ++o) {
    const double g = c[kum::gamma_w + 2 * o], e = std::exp(-P / g + c[kum::n_w + 2 * o]);
    s += e / g / (1 - e);
  }
  return s;
}

// The smallest P with every N_eff factor positive: P > n_x gamma_x.
double kumar_min_bits(const std::vector<double>& c) {
  double p = 0;
  for (int o = 0; o < 3; ++o) p = std::max(p, c[kum::n_w + 2 * o] * c[kum::gamma_w + 2 * o]);
  return p;
}

constexpr double kMaxKumarBits = 64;

}  // namespace

double compute_bits(const Law& law, const LawInput& x) {
  if (&law == &sun2025_law()) return x.prec.bits();
  if (&law == &kumar2024_law()) return std::max({x.bits_w, x.bits_a, x.bits_kv});
  return 16;
}

SplitAnswer best_split(const std::vector<double>& c, int P) {
  if (P < 2 || P > 64)
    fail("best split needs 2 <= P <= 64 total bits (sign included), got " + std::to_string(P));
  const double dl = c[sun::delta], nu = c[sun::nu];
  auto split = [&](int Eb) {
    const int Mb = P - 1 - Eb;
    return Split{Eb, Mb, dl * std::log(Eb + 0.5) + nu * std::log(Mb + 0.5)};
  };
  SplitAnswer out;
  out.Eb_continuous = dl * P / (dl + nu) - 0.5;
  int best;
  if (dl > 0 && nu > 0) {  // concave score: the optimum is next to the continuous one
    const int lo = std::clamp(static_cast<int>(std::floor(out.Eb_continuous)), 0, P - 1);
    const int hi = std::min(lo + 1, P - 1);
    best = split(hi).score > split(lo).score ? hi : lo;
  } else {  // no concavity (a fit with delta or nu <= 0): score every layout
    best = 0;
    for (int e = 1; e < P; ++e)
      if (split(e).score > split(best).score) best = e;
  }
  out.best = split(best);
  // The runner-up is adjacent to the best when the score is concave; else scan.
  out.runner_up.Eb = -1;
  for (int e = 0; e < P; ++e) {
    if (e == best || ((dl > 0 && nu > 0) && std::abs(e - best) != 1)) continue;
    if (out.runner_up.Eb < 0 || split(e).score > out.runner_up.score) out.runner_up = split(e);
  }
  out.penalty_ratio = std::exp(out.best.score - out.runner_up.score);
  return out;
}

double critical_data(const std::vector<double>& c, double N, const Precision& p) {
  need_positive(N, "N");
  if (!(p.Bs > 1))
    fail(
        "critical data size needs a block size Bs > 1 (with Bs = 1 the precision "
        "term vanishes and loss never rises with D)");
  if (!(c[sun::beta] > 0)) fail("critical data size needs beta > 0");
  const double ln = std::log(c[sun::d]) + std::log(c[sun::gamma]) + c[sun::alpha] * std::log(N) +
                    c[sun::delta] * std::log(p.Eb + 0.5) + c[sun::nu] * std::log(p.Mb + 0.5) -
                    std::log(std::log2(p.Bs));
  return std::exp(ln / (2 * c[sun::beta]));
}

Allocation compute_optimal(const Law& law, const ConstantSet& set, double C, const LawInput& x) {
  need_positive(C, "compute C");
  const std::vector<double>& c = set.values;
  const double K = C / (kComputePerBit * compute_bits(law, x));  // K = N * D
  double lnN;
  if (&law == &chinchilla_law()) {
    lnN = two_term_lnN(c[chin::A], c[chin::alpha], c[chin::B], c[chin::beta], K);
  } else if (&law == &kaplan_law()) {
    // min (Nc/N)^r + Dc N / K: N^(r+1) = r Nc^r K / Dc.
    const double r = c[kap::alphaN] / c[kap::alphaD];
    if (!(r > 0 && c[kap::alphaD] > 0)) fail("compute-optimal allocation needs positive exponents");
    lnN = (std::log(r) + r * std::log(c[kap::Nc]) + std::log(K) - std::log(c[kap::Dc])) / (r + 1);
  } else if (&law == &quartet_law()) {
    const double en = x.eff_from_law ? c[qrt::effN] : x.eff_n;
    const double ed = x.eff_from_law ? c[qrt::effD] : x.eff_d;
    lnN = two_term_lnN(c[qrt::A] * std::pow(en, -c[qrt::alpha]), c[qrt::alpha],
                       c[qrt::B] * std::pow(ed, -c[qrt::beta]), c[qrt::beta], K);
  } else if (&law == &kumar2024_law()) {
    const double f = kumar_neff_factor(c, x.bits_w, x.bits_a, x.bits_kv);
    const double a = c[kum::alpha];
    lnN = two_term_lnN(c[kum::A] * std::pow(f, -a), a, c[kum::B], a, K);
  } else if (&law == &sun2025_law()) {
    // L(N) = n N^-a + d K^-b N^b + eps + lam K^b N^-(a+b); N dL/dN = 0 multiplied by N^(a+b):
    // b d K^-b N^(a+2b) = a n N^b + (a+b) lam K^b. In z = ln N, the log of the left side minus
    // the log of the right side has slope >= a+b > 0: one root.
    const double a = c[sun::alpha], b = c[sun::beta];
    if (!(a > 0 && b > 0)) fail("compute-optimal allocation needs alpha > 0 and beta > 0");
    if (!(x.prec.Bs >= 1)) fail("sun2025 needs a block size Bs >= 1");
    const double lnK = std::log(K);
    const double lnlam = std::log(std::log2(x.prec.Bs)) - std::log(c[sun::gamma]) -
                         c[sun::delta] * std::log(x.prec.Eb + 0.5) -
                         c[sun::nu] * std::log(x.prec.Mb + 0.5);
    auto g = [&](double z) {
      const double t[2] = {std::log(a * c[sun::n]) + b * z, std::log(a + b) + lnlam + b * lnK};
      double w[2];
      return std::log(b * c[sun::d]) - b * lnK + (a + 2 * b) * z - log_sum_exp(t, 2, w);
    };
    lnN = increasing_root(g, 0.5 * lnK);
  } else {
    fail(std::string("no compute-optimal allocation for law ") + law.id());
  }
  Allocation out;
  out.N = std::exp(lnN);
  out.D = K / out.N;
  LawInput at = x;
  at.N = out.N;
  at.D = out.D;
  out.loss = law.loss(c, at);
  return out;
}

namespace {

// sun2025 at compute C in a given precision: compute-optimal N and D, or the one that C
// leaves when the other is fixed.
Allocation sun_at(const std::vector<double>& c, double C, LawInput& x, std::optional<double> N,
                  std::optional<double> D) {
  const Law& law = sun2025_law();
  const double K = C / (kComputePerBit * x.prec.bits());
  Allocation at;
  if (N || D) {
    at.N = N ? *N : K / *D;
    at.D = N ? K / *N : *D;
    x.N = at.N;
    x.D = at.D;
    at.loss = law.loss(c, x);
  } else {
    ConstantSet set;
    set.values = c;
    at = compute_optimal(law, set, C, x);
    x.N = at.N;
    x.D = at.D;
  }
  return at;
}

void check_precision_question(double C, std::optional<double> N, std::optional<double> D) {
  need_positive(C, "compute C");
  if (N && D) fail("give at most one of N and D: the other follows from the compute budget");
  if (N) need_positive(*N, "N");
  if (D) need_positive(*D, "D");
}

// Minimiser of f on [lo, hi] for objectives without a usable derivative: a grid of n points
// finds the basin, then golden-section search narrows it.
double argmin_golden(const std::function<double(double)>& f, double lo, double hi, int n) {
  int best = 0;
  double fbest = HUGE_VAL;
  auto xs = [&](int i) { return lo + (hi - lo) * i / (n - 1); };
  for (int i = 0; i < n; ++i) {
    const double v = f(xs(i));
    if (v < fbest) fbest = v, best = i;
  }
  double a = xs(std::max(best - 1, 0)), b = xs(std::min(best + 1, n - 1));
  const double r = (std::sqrt(5.0) - 1) / 2;
  double u = b - r * (b - a), v = a + r * (b - a), fu = f(u), fv = f(v);
  for (int i = 0; i < 200 && b - a > 1e-12 * b; ++i) {
    if (fu < fv) {
      b = v, v = u, fv = fu;
      u = b - r * (b - a), fu = f(u);
    } else {
      a = u, u = v, fu = fv;
      v = a + r * (b - a), fv = f(v);
    }
  }
  return 0.5 * (a + b);
}

constexpr int kMinSunBits = 2, kMaxSunBits = 32;

}  // namespace

PrecisionAnswer sun_optimal_precision(const std::vector<double>& c, double C, double Bs,
                                      std::optional<double> N, std::optional<double> D) {
  check_precision_question(C, N, D);
  PrecisionAnswer best;
  best.at.loss = HUGE_VAL;
  for (int P = kMinSunBits; P <= kMaxSunBits; ++P) {
    const Split s = best_split(c, P).best;
    LawInput x;
    x.prec = {static_cast<double>(s.Eb), static_cast<double>(s.Mb), Bs};
    const Allocation at = sun_at(c, C, x, N, D);
    if (at.loss < best.at.loss) {
      best.bits = P;
      best.layout = s;
      best.x = x;
      best.at = at;
    }
  }
  best.at_boundary = best.bits == kMinSunBits || best.bits == kMaxSunBits;
  return best;
}

double sun_continuous_precision(const std::vector<double>& c, double C, double Bs,
                                std::optional<double> N, std::optional<double> D) {
  check_precision_question(C, N, D);
  const double dl = c[sun::delta], nu = c[sun::nu];
  if (!(dl > 0 && nu > 0)) return NAN;
  auto loss = [&](double P) {
    LawInput x;
    x.prec = {dl * P / (dl + nu) - 0.5, nu * P / (dl + nu) - 0.5, Bs};
    return sun_at(c, C, x, N, D).loss;
  };
  // A grid step of 0.1 bit finds the basin; the integer answer is within a bit of it.
  return argmin_golden(loss, kMinSunBits, kMaxSunBits, 10 * (kMaxSunBits - kMinSunBits) + 1);
}

double kumar_neff_factor(const std::vector<double>& c, double Pw, double Pa, double Pkv) {
  const double P[3] = {Pw, Pa, Pkv};
  const char* names[3] = {"P_w", "P_a", "P_kv"};
  double f = 1;
  for (int o = 0; o < 3; ++o) {
    const double g = c[kum::gamma_w + 2 * o], n = c[kum::n_w + 2 * o];
    const double fx = 1 - std::exp(-P[o] / g + n);
    if (!(fx > 0))
      fail("kumar2024 is undefined at " + std::string(names[o]) + " = " + num(P[o]) +
           " bits: its N_eff factor 1 - exp(-P/gamma + n) is " + num(fx) +
           " (it needs P > n*gamma = " + num(n * g) + " bits)");
    f *= fx;
  }
  return f;
}

double kumar_best_precision(const std::vector<double>& c) {
  bool edge = false;
  return kumar_best_precision(c, &edge);
}

double kumar_best_precision(const std::vector<double>& c, bool* at_edge) {
  const double lo = kumar_min_bits(c);
  auto f = [&](double P) {
    double s = -std::log(P);
    for (int o = 0; o < 3; ++o)
      s += std::log1p(-std::exp(-P / c[kum::gamma_w + 2 * o] + c[kum::n_w + 2 * o]));
    return std::isnan(s) ? HUGE_VAL : -s;
  };
  auto df = [&](double P) { return -(kumar_dlnf(c, P) - 1 / P); };
  return argmin_1d(f, df, lo, kMaxKumarBits, 6400, at_edge);
}

PrecisionAnswer kumar_optimal_precision(const std::vector<double>& c, double C,
                                        std::optional<double> N, std::optional<double> D) {
  need_positive(C, "compute C");
  if (N && D) fail("give at most one of N and D: the other follows from the compute budget");
  const Law& law = kumar2024_law();
  PrecisionAnswer out;
  const double a = c[kum::alpha];
  if (N) {
    need_positive(*N, "N");
    // L(P) = A (N f(P))^-a + B (k P N / C)^a + E over P; dL/dP analytic.
    const double kN = kComputePerBit * *N / C;
    auto L = [&](double P) {
      double lnf = 0;
      for (int o = 0; o < 3; ++o)
        lnf += std::log1p(-std::exp(-P / c[kum::gamma_w + 2 * o] + c[kum::n_w + 2 * o]));
      if (std::isnan(lnf)) return HUGE_VAL;
      return c[kum::A] * std::exp(-a * (std::log(*N) + lnf)) + c[kum::B] * std::pow(kN * P, a) +
             c[kum::E];
    };
    auto dL = [&](double P) {
      const double f = kumar_neff_factor(c, P, P, P);
      return -a * c[kum::A] * std::pow(*N * f, -a) * kumar_dlnf(c, P) +
             a * c[kum::B] * std::pow(kN, a) * std::pow(P, a - 1);
    };
    out.bits = argmin_1d(L, dL, kumar_min_bits(c), kMaxKumarBits, 6400, &out.at_boundary);
  } else {
    // N free, or D fixed: L depends on P only through N_eff/N / P (both terms share alpha).
    out.bits = kumar_best_precision(c, &out.at_boundary);
  }
  out.bits_continuous = out.bits;
  LawInput x;
  x.bits_w = x.bits_a = x.bits_kv = out.bits;
  const double K = C / (kComputePerBit * out.bits);
  if (N || D) {
    x.N = N ? *N : K / *D;
    x.D = N ? K / *N : *D;
    out.at = {x.N, x.D, law.loss(c, x)};
  } else {
    ConstantSet set;
    set.values = c;
    out.at = compute_optimal(law, set, C, x);
    x.N = out.at.N;
    x.D = out.at.D;
  }
  out.x = x;
  return out;
}

}  // namespace lowp::study
