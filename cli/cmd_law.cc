// `lowp law`: evaluate the published scaling laws and their derived answers.
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "study/derived.h"
#include "study/inputs.h"
#include "study/law.h"
#include "study/report.h"
#include "study/sample.h"
#include "util/error.h"

namespace lowp::cli {
namespace {

using namespace lowp::study;

// Options shared by the law subcommands; one struct so every subcommand reads them alike.
struct LawArgs {
  std::string law, constants, format;
  std::optional<double> N, D, compute;
  std::optional<double> bits_w, bits_a, bits_kv, eff_n, eff_d, eb, mb, bs;
  std::optional<int> bits;
  std::string block = "128";
  // `law sample`
  std::vector<double> Ns, Ds;
  std::vector<std::string> formats;
  double noise = 0;
  int seeds = 1;
  uint64_t seed = 1;
};

LawRef load(const LawArgs& a) {
  LawRef r = resolve_law(a.law);
  if (!a.constants.empty()) r.set = read_constants(*r.law, a.constants);
  return r;
}

InputSpec spec_of(const LawArgs& a) {
  InputSpec s;
  s.format = a.format;
  s.bits_w = a.bits_w, s.bits_a = a.bits_a, s.bits_kv = a.bits_kv;
  s.eff_n = a.eff_n, s.eff_d = a.eff_d;
  if (a.eb || a.mb || a.bs) {
    if (!(a.eb && a.mb && a.bs)) fail("--eb, --mb and --bs go together (sun2025's Eb, Mb, Bs)");
    s.prec = Precision{*a.eb, *a.mb, *a.bs};
  }
  return s;
}

void print_header(const LawRef& r) {
  std::printf("law: %s (%s), constants: %s\n", r.law->id(), r.law->paper(),
              r.set.name == "file" ? r.set.source.c_str() : r.set.name.c_str());
}

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::printf("extrapolation: %s\n", n.c_str());
}

std::string describe(const Law& law, const ConstantSet& set, const LawInput& x) {
  char buf[256];
  if (&law == &sun2025_law())
    std::snprintf(buf, sizeof buf, "Eb %g, Mb %g, Bs %g", x.prec.Eb, x.prec.Mb, x.prec.Bs);
  else if (&law == &kumar2024_law())
    std::snprintf(buf, sizeof buf, "P_w %g, P_a %g, P_kv %g bits", x.bits_w, x.bits_a, x.bits_kv);
  else if (&law == &quartet_law() && x.eff_from_law)
    std::snprintf(buf, sizeof buf, "effN %g, effD %g (the constants' values for %s)",
                  set.values[qrt::effN], set.values[qrt::effD], set.eff_format.c_str());
  else if (&law == &quartet_law())
    std::snprintf(buf, sizeof buf, "effN %g, effD %g", x.eff_n, x.eff_d);
  else
    return "no precision dependence";
  return buf;
}

// "27.33T" style token count.
std::string tokens_short(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4gT", d / 1e12);
  return buf;
}

void require_sun(const Law& law, const char* what) {
  if (&law != &sun2025_law())
    fail(std::string(what) + " needs exponent and mantissa bits, which only sun2025 has; law " +
         law.id() + " has none");
}

void predict(const LawArgs& a) {
  const LawRef r = load(a);
  std::vector<std::string> notes;
  const LawInput x = make_input(*r.law, r.set, *a.N, *a.D, spec_of(a), &notes);
  const double L = r.law->loss(r.set.values, x);
  print_header(r);
  std::printf("at: N = %g, D = %g; %s\n", x.N, x.D, describe(*r.law, r.set, x).c_str());
  for (const auto& n : range_notes(*r.law, r.set, x)) notes.push_back(n);
  print_notes(notes);
  std::printf("%.8f\n", L);
}

void best_split_cmd(const LawArgs& a) {
  const LawRef r = load(a);
  require_sun(*r.law, "best-split");
  const SplitAnswer s = best_split(r.set.values, *a.bits);
  print_header(r);
  std::printf("best split of %d bits (sign included): %s (Eb = %d, Mb = %d)\n", *a.bits,
              layout_name(s.best.Eb, s.best.Mb).c_str(), s.best.Eb, s.best.Mb);
  std::printf("runner-up: %s, penalty ratio %.6f (its precision term is %.6f times the best's)\n",
              layout_name(s.runner_up.Eb, s.runner_up.Mb).c_str(), s.penalty_ratio,
              s.penalty_ratio);
  std::printf("continuous optimum: Eb = %.4f, Mb = %.4f (Eb* = delta P / (delta + nu) - 0.5)\n",
              s.Eb_continuous, *a.bits - 1 - s.Eb_continuous);
}

void critical_data_cmd(const LawArgs& a) {
  const LawRef r = load(a);
  require_sun(*r.law, "critical-data");
  std::vector<std::string> notes;
  const LawInput x = make_input(*r.law, r.set, *a.N, 1, spec_of(a), &notes);
  const double Dc = critical_data(r.set.values, *a.N, x.prec);
  print_header(r);
  std::printf("at: N = %g; %s\n", x.N, describe(*r.law, r.set, x).c_str());
  for (const auto& n : range_notes_nd(r.set, x.N, Dc, "N", "D_crit")) notes.push_back(n);
  print_notes(notes);
  std::printf("D_crit: %.8e tokens (%s); loss rises when training beyond it\n", Dc,
              tokens_short(Dc).c_str());
}

double block_size(const std::string& b) {
  if (b == "channel") return std::exp2(kChannelLog2Bs);
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(b, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != b.size() || !(v >= 1))
    fail("--block needs a block size >= 1 or 'channel', got '" + b + "'");
  return v;
}

void optimal_precision_cmd(const LawArgs& a) {
  const LawRef r = load(a);
  PrecisionQuery q;
  q.C = *a.compute;
  q.Bs = block_size(a.block);
  q.N = a.N, q.D = a.D;
  const PrecisionAnswer p = r.law->optimal_precision(r.set.values, q);
  print_header(r);
  std::printf("compute: C = %g FLOPs = 6/16 * P * N * D\n", *a.compute);
  if (p.layout) {  // an integer number of bits with its layout (sun2025)
    std::string continuous;
    if (!std::isnan(p.bits_continuous)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " (continuous optimum %.2f bits)", p.bits_continuous);
      continuous = buf;
    }
    std::printf("optimal precision: %d bits, layout %s, Bs %s%s\n", static_cast<int>(p.bits),
                layout_name(p.layout->Eb, p.layout->Mb).c_str(), a.block.c_str(),
                continuous.c_str());
  } else {
    std::printf("optimal precision: %.3f bits for weights, activations and KV cache alike\n",
                p.bits);
  }
  std::printf("N = %.6g%s, D = %.6g%s, predicted loss %.6f\n", p.at.N, a.N ? " (given)" : "",
              p.at.D, a.D ? " (given)" : "", p.at.loss);
  if (p.at_boundary) std::printf("note: the optimum is at the edge of the searched bits\n");
  std::vector<std::string> notes =
      range_notes_nd(r.set, p.at.N, p.at.D, a.N ? "N" : "N_opt", a.D ? "D" : "D_opt");
  LawInput bits_only = p.x;  // the bits against the law's fitted bit range (N, D done above)
  bits_only.N = bits_only.D = NAN;
  for (const auto& n : range_notes(*r.law, r.set, bits_only)) notes.push_back(n);
  print_notes(notes);
}

void compute_optimal_cmd(const LawArgs& a) {
  const LawRef r = load(a);
  std::vector<std::string> notes;
  const LawInput x = make_input(*r.law, r.set, 1, 1, spec_of(a), &notes);
  const Allocation al = compute_optimal(*r.law, r.set, *a.compute, x);
  print_header(r);
  std::printf("compute: C = %g FLOPs = 6/16 * P * N * D (P = %g); %s\n", *a.compute,
              compute_bits(*r.law, x), describe(*r.law, r.set, x).c_str());
  LawInput at = x;
  at.N = al.N, at.D = al.D;
  for (const auto& n : range_notes(*r.law, r.set, at)) notes.push_back(n);
  print_notes(notes);
  std::printf("N_opt = %.6g, D_opt = %.6g (%.4g tokens per parameter), predicted loss %.6f\n", al.N,
              al.D, al.D / al.N, al.loss);
}

void show_set(const Law& law, const ConstantSet& s, bool is_default) {
  std::printf("constant set %s%s: %s\n", s.name.c_str(), is_default ? " (default)" : "",
              s.source.c_str());
  for (size_t i = 0; i < law.size(); ++i)
    std::printf("  %-10s %-14.10g %s\n", law.params()[i].name, s.values[i],
                law.params()[i].meaning);
  if (!s.eff_format.empty())
    std::printf("  effN and effD belong to format %s\n", s.eff_format.c_str());
  const Range& g = s.range;
  if (!g.known) {
    std::printf("  fitted range: not recorded\n");
    return;
  }
  std::printf("  fitted range: N %g to %g parameters, D %g to %g tokens", g.n_lo, g.n_hi, g.d_lo,
              g.d_hi);
  if (g.bits_hi > 0) std::printf(", %g to %g bits", g.bits_lo, g.bits_hi);
  std::printf("\n");
}

void show(const LawArgs& a) {
  const LawRef r = load(a);
  const Law& law = *r.law;
  std::printf("law: %s\npaper: %s\nformula: %s\n", law.id(), law.paper(), law.formula());
  if (!a.constants.empty() || a.law.find(':') != std::string::npos) {
    show_set(law, r.set, false);
    return;
  }
  for (size_t i = 0; i < law.sets().size(); ++i) show_set(law, law.sets()[i], i == 0);
  if (law.sets().size() > 1)
    std::printf("select a set as %s:SET, e.g. %s:%s\n", law.id(), law.id(),
                law.sets()[1].name.c_str());
}

void sample(const LawArgs& a) {
  const LawRef r = load(a);
  std::fputs(
      to_csv(sample_runs(*r.law, r.set, a.Ns, a.Ds, a.formats, a.noise, a.seeds, a.seed)).c_str(),
      stdout);
}

const bool registered = register_command([](CLI::App& root) {
  static LawArgs a;
  auto* law =
      root.add_subcommand("law", "Evaluate a published scaling law and its derived answers");
  law->require_subcommand(1);
  std::string laws;
  for (const Law* l : all_laws()) laws += std::string(laws.empty() ? "" : ", ") + l->id();
  auto add_law = [&](CLI::App* sub) {
    sub->add_option("LAW", a.law,
                    "law id, optionally LAW:SET (" + laws + "; e.g. chinchilla:epoch)")
        ->required();
    sub->add_option("--constants", a.constants, "constants from a fit.json (lowp fit --out)");
  };
  auto add_precision = [&](CLI::App* sub) {
    sub->add_option("--format", a.format,
                    "training format, e.g. e4m3:block=128, mxfp4, int8:channel");
    sub->add_option("--bits-w", a.bits_w, "kumar2024: weight bits");
    sub->add_option("--bits-a", a.bits_a, "kumar2024: activation bits");
    sub->add_option("--bits-kv", a.bits_kv, "kumar2024: KV-cache bits");
    sub->add_option("--eff-n", a.eff_n, "quartet: parameter efficiency");
    sub->add_option("--eff-d", a.eff_d, "quartet: data efficiency");
    sub->add_option("--eb", a.eb, "sun2025: exponent bits");
    sub->add_option("--mb", a.mb, "sun2025: mantissa bits");
    sub->add_option("--bs", a.bs, "sun2025: block size (channel-wise: 2^13.1567)");
  };
  auto* p = law->add_subcommand("predict", "Predicted loss at N, D and a precision");
  add_law(p);
  add_precision(p);
  p->add_option("--N", a.N, "parameters (non-embedding)")->required();
  p->add_option("--D", a.D, "training tokens")->required();
  p->callback([] { predict(a); });

  auto* b = law->add_subcommand("best-split", "Best exponent/mantissa split of P bits (sun2025)");
  add_law(b);
  b->add_option("--bits", a.bits, "total bits P, sign included")->required();
  b->callback([] { best_split_cmd(a); });

  auto* c = law->add_subcommand("critical-data", "Data size beyond which loss rises (sun2025)");
  add_law(c);
  add_precision(c);
  c->add_option("--N", a.N, "parameters (non-embedding)")->required();
  c->callback([] { critical_data_cmd(a); });

  auto* o = law->add_subcommand("optimal-precision", "Compute-optimal precision for a budget");
  add_law(o);
  o->add_option("--compute", a.compute, "compute budget C in FLOPs")->required();
  auto* on = o->add_option("--N", a.N, "fix N (parameters); D follows from C");
  auto* od = o->add_option("--D", a.D, "fix D (tokens); N follows from C");
  on->excludes(od);
  o->add_option("--block", a.block, "sun2025: block size of the scaling, or 'channel'")
      ->capture_default_str();
  o->callback([] { optimal_precision_cmd(a); });

  auto* co = law->add_subcommand("compute-optimal", "Compute-optimal N and D at a precision");
  add_law(co);
  add_precision(co);
  co->add_option("--compute", a.compute, "compute budget C in FLOPs")->required();
  co->callback([] { compute_optimal_cmd(a); });

  auto* sa = law->add_subcommand("sample", "Synthetic runs CSV from a law (for lowp fit)");
  add_law(sa);
  sa->add_option("--N", a.Ns, "parameters, comma-separated")->required()->delimiter(',');
  sa->add_option("--D", a.Ds, "tokens, comma-separated")->required()->delimiter(',');
  sa->add_option("--format", a.formats, "formats, comma-separated")->required()->delimiter(',');
  sa->add_option("--noise", a.noise, "log-normal noise sigma of the loss")->capture_default_str();
  sa->add_option("--seeds", a.seeds, "runs per (N, D, format)")->capture_default_str();
  sa->add_option("--seed", a.seed, "noise seed")->capture_default_str();
  sa->callback([] { sample(a); });

  auto* s = law->add_subcommand("show", "Formula, constants, their source and fitted range");
  add_law(s);
  s->callback([] { show(a); });
});

}  // namespace
}  // namespace lowp::cli
