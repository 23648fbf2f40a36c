// `lowp bench quantize`: fake-quantization throughput per format, as a ratio to a same-run copy.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "formats/format.h"
#include "kernels/bench.h"
#include "kernels/quantize.h"
#include "kernels/runtime.h"
#include "util/error.h"

namespace lowp::cli {
namespace {

struct BenchQuantizeConfig {
  std::vector<std::string> formats = {"e4m3",       "e5m2",  "e2m1", "bf16",
                                      "mxfp8_e4m3", "mxfp4", "nvfp4"};
  int64_t n = int64_t{64} << 20;
  int threads = 1;
  int reps = 5;
};

void bench_quantize(const BenchQuantizeConfig& c) {
  if (c.n < 1) fail("bench quantize: --n must be >= 1");
  if (c.reps < 1) fail("bench quantize: --reps must be >= 1");
  std::vector<Format> formats;
  for (const auto& name : c.formats) formats.push_back(parse_format(name));  // fail early
  kernels::set_num_threads(c.threads);
  const std::vector<float> x = kernels::gaussian(c.n, 1);
  std::vector<float> y(x.size());
  const double bytes = 8.0 * static_cast<double>(c.n);  // fp32 in + fp32 out
  std::printf("# lowp bench quantize: n=%lld threads=%d target=%s reps=%d (best of reps)\n",
              static_cast<long long>(c.n), c.threads, kernels::active_simd_target().c_str(),
              c.reps);
  std::printf("# format  G elements/s  GB/s  ratio to a copy timed just before it\n");
  for (size_t i = 0; i < formats.size(); ++i) {
    const double tc =
        kernels::best_seconds([&] { kernels::copy(x.data(), y.data(), c.n); }, c.reps);
    const double tq = kernels::best_seconds(
        [&] { kernels::fake_quantize(formats[i], x.data(), y.data(), 1, c.n); }, c.reps);
    std::printf("%s %.3f Gel/s %.2f GB/s %.2fx copy   (copy %.3f Gel/s)\n", c.formats[i].c_str(),
                c.n / tq * 1e-9, bytes / tq * 1e-9, tc / tq, c.n / tc * 1e-9);
    std::fflush(stdout);
  }
}

const bool registered = register_command([](CLI::App& root) {
  auto* bench = root.add_subcommand("bench", "Measure kernel throughput");
  bench->require_subcommand(1);
  auto cfg = std::make_shared<BenchQuantizeConfig>();
  auto* q = bench->add_subcommand(
      "quantize", "Fake quantization (fp32 -> fp32, out of place) vs a same-run memory copy");
  q->add_option("formats", cfg->formats, "Formats to time (default: the goal formats)");
  q->add_option("--n", cfg->n, "Elements per tensor")->capture_default_str();
  q->add_option("--threads", cfg->threads, "Threads")->capture_default_str();
  q->add_option("--reps", cfg->reps, "Timed repetitions (best is reported)")->capture_default_str();
  q->callback([cfg] { bench_quantize(*cfg); });
});

}  // namespace
}  // namespace lowp::cli
