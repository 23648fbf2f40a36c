// `lowp verify FORMAT`: the SIMD kernels against the scalar oracle, sampled or exhaustive.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "formats/format.h"
#include "kernels/runtime.h"
#include "kernels/verify.h"
#include "util/error.h"

namespace lowp::cli {
namespace {

struct VerifyConfig {
  std::string format;
  std::string round;  // overrides the format's rounding mode
  bool exhaustive = false;
  uint64_t stride = 4099;  // sampled sweep: every stride-th fp32 pattern
  int cases = 300;         // random tensors
  int threads = 0;         // 0: the kernels' default
  std::string target;      // restrict dispatch to one SIMD target
  int reports = 8;
};

void verify(const VerifyConfig& c) {
  std::string spec = c.format;
  if (!c.round.empty()) spec += ":round=" + c.round;
  const Format f = parse_format(spec);
  if (c.threads != 0) kernels::set_num_threads(c.threads);
  if (!c.target.empty()) kernels::use_simd_target(c.target);
  if (c.exhaustive && f.scaled())
    fail("verify: --exhaustive sweeps all 2^32 inputs of an element format; '" + c.format +
         "' is block-scaled (drop --exhaustive for its random-tensor check)");
  const auto print = [](const kernels::Mismatch& m) {
    std::printf("mismatch: input 0x%08x index %llu: %s\n", m.input_bits,
                static_cast<unsigned long long>(m.index), m.what.c_str());
  };
  kernels::VerifyResult r;
  if (!f.scaled())
    // The exhaustive sweep already holds every edge pattern: count each input once.
    r = kernels::verify_patterns(f, c.exhaustive ? 1 : c.stride, !c.exhaustive, print, c.reports);
  if (!c.exhaustive) {
    const auto t = kernels::verify_random(f, 1, c.cases, print, c.reports);
    r.inputs += t.inputs;
    r.mismatches += t.mismatches;
    r.seconds += t.seconds;
  }
  std::printf("# target %s, %d threads\n", kernels::active_simd_target().c_str(),
              kernels::num_threads());
  std::printf("%s %s: %llu mismatches in %llu inputs, %.2f s\n", c.format.c_str(),
              round_name(f.cast.round), static_cast<unsigned long long>(r.mismatches),
              static_cast<unsigned long long>(r.inputs), r.seconds);
  exit_code() = r.mismatches == 0 ? 0 : 1;
}

const bool registered = register_command([](CLI::App& root) {
  auto cfg = std::make_shared<VerifyConfig>();
  auto* v = root.add_subcommand("verify", "Check the SIMD kernels bit for bit against the oracle");
  v->add_option("format", cfg->format, "Format (e.g. e4m3, e2m1:sat, mxfp4, nvfp4:profile=te)")
      ->required();
  v->add_option("--round", cfg->round,
                "Rounding mode (rne, rna, rnz, rtz, up, down, odd, sr, ...)");
  v->add_flag("--exhaustive", cfg->exhaustive, "All 2^32 fp32 inputs (element formats)");
  v->add_option("--stride", cfg->stride, "Sampled sweep: every k-th fp32 pattern")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  v->add_option("--cases", cfg->cases, "Random tensors to compare")->capture_default_str();
  v->add_option("--threads", cfg->threads, "Threads (default: all)");
  v->add_option("--target", cfg->target, "Restrict dispatch to one SIMD target (AVX3, AVX2, ...)");
  v->add_option("--reports", cfg->reports, "Mismatches to print")->capture_default_str();
  v->callback([cfg] { verify(*cfg); });
});

}  // namespace
}  // namespace lowp::cli
