// `lowp fit`: fit a law to measured runs with intervals, held-out errors and derived answers.
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "study/report.h"
#include "util/error.h"

namespace lowp::cli {
namespace {

struct FitArgs {
  study::FitRequest req;
  std::vector<std::string> freeze;  // NAME or NAME=VALUE
  std::string out;
};

void run(FitArgs& a) {
  for (const std::string& f : a.freeze) {
    const size_t eq = f.find('=');
    std::optional<double> v;
    if (eq != std::string::npos) {
      size_t used = 0;
      try {
        v = std::stod(f.substr(eq + 1), &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != f.size() - eq - 1)
        fail("--freeze " + f + ": the value after '=' must be a number (NAME or NAME=VALUE)");
    }
    a.req.options.freeze.push_back({f.substr(0, eq), v});
  }
  const study::FitReport r = study::run_fit(a.req);
  std::fputs(study::format_report(r).c_str(), stdout);
  if (!a.out.empty()) {
    std::ofstream o(a.out);
    if (!o) fail("cannot write '" + a.out + "'; check the directory exists and is writable");
    o << study::report_json(r);
    if (!o) fail("writing '" + a.out + "' failed");
    std::printf("wrote %s\n", a.out.c_str());
  }
}

const bool registered = register_command([](CLI::App& root) {
  static FitArgs a;
  auto* fit = root.add_subcommand(
      "fit", "Fit a scaling law to runs (CSV: N,D,format,loss[,seed,bits_w,bits_a,bits_kv])");
  fit->add_option("LAW", a.req.law, "law id, optionally LAW:SET whose values frozen constants take")
      ->required();
  fit->add_option("--data", a.req.data,
                  "runs CSV: N,D,format,loss (optionally seed, bits_w, bits_a, bits_kv)");
  fit->add_option("--db", a.req.db,
                  "results store: adds its completed runs (N = parameters, D = tokens seen, "
                  "format = the fwd.w slot's)");
  fit->add_option("--study", a.req.study, "with --db: only this study's runs");
  fit->add_option("--bootstrap", a.req.bootstrap,
                  "bootstrap replicates (whole (N, D) cells); 0: none")
      ->capture_default_str();
  fit->add_option("--holdout", a.req.holdouts,
                  "largest-N, largest-D or format=F (repeatable; default: largest-N, largest-D "
                  "and the lowest-precision format)");
  fit->add_option("--huber-delta", a.req.huber_delta,
                  "Huber threshold on log residuals (default 1e-3; 1e-4 for quartet, as laws.md)");
  fit->add_option("--freeze", a.freeze,
                  "hold a constant: NAME (at the set's value) or NAME=VALUE (repeatable)");
  fit->add_option("--starts", a.req.options.max_starts,
                  "most grid starts per stage (0: the whole grid)")
      ->capture_default_str();
  fit->add_option("--seed", a.req.options.seed, "seed of the bootstrap and of start subsets")
      ->capture_default_str();
  fit->add_option("--compute", a.req.compute,
                  "compute C (FLOPs) for the derived answers (default: the largest run's)");
  fit->add_option("--out", a.out, "write the fit as JSON");
  fit->callback([] { run(a); });
});

}  // namespace
}  // namespace lowp::cli
