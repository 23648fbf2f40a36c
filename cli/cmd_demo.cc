// `lowp demo`: the quick-start job - the format table and a short tour of quantizing a tensor.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/format_table.h"
#include "formats/error_stats.h"
#include "util/philox.h"

namespace lowp::cli {
namespace {

// Standard normal samples from the counter-based generator (Box-Muller), deterministic.
std::vector<float> normal(int64_t n, uint64_t seed) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double u = (static_cast<double>(random_bits(seed, 1, i) >> 8) + 0.5) / 16777216.0;
    const double v = (static_cast<double>(random_bits(seed, 2, i) >> 8) + 0.5) / 16777216.0;
    x[static_cast<size_t>(i)] =
        static_cast<float>(std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v));
  }
  return x;
}

void run_demo() {
  std::printf("== lowp formats\n");
  print_format_table();

  std::printf("\n== one row of 8 values (one outlier) through a few formats\n");
  const std::vector<float> row = {0.91f, -0.27f, 1.38f, 0.05f, -2.2f, 0.6f, 7.5f, -0.013f};
  std::printf("%-24s", "input");
  for (float v : row) std::printf(" %9.4g", static_cast<double>(v));
  std::printf("\n");
  for (const char* name : {"bf16", "e4m3", "e5m2", "e2m1", "mxfp8_e4m3", "mxfp4",
                           "mxfp4:scale=rceil", "nvfp4", "int4:channel"}) {
    const Format f = parse_format(name);
    std::vector<float> q(row.size());
    fake_quantize(f, row.data(), q.data(), 1, static_cast<int64_t>(row.size()));
    std::printf("%-24s", name);
    for (float v : q) std::printf(" %9.4g", static_cast<double>(v));
    std::printf("\n");
  }

  std::printf("\n== quantization error of 2^20 N(0,1) values (rows of 1024)\n");
  const auto x = normal(1 << 20, 0);
  std::printf("%-24s %12s %10s %14s %12s\n", "format", "rel_mse", "sqnr_db", "frac_saturated",
              "frac_flushed");
  for (const char* name :
       {"bf16", "fp16", "e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "mxfp8_e4m3", "mxfp6_e3m2",
        "mxfp6_e2m3", "mxfp4", "mxfp4:round=sr", "nvfp4", "int8:channel", "int4:channel"}) {
    const Format f = parse_format(name);
    const ErrorStats s = measure_error(f, x.data(), 1024, 1024);
    std::printf("%-24s %12.4g %10.2f %14.4g %12.4g\n", name, s.rel_mse, s.sqnr_db, s.frac_saturated,
                s.frac_flushed);
  }
  std::printf(
      "\nNext: `lowp cast e4m3 < values.txt`, `lowp quantize mxfp4 < rows.txt`, "
      "`lowp error nvfp4 --dist laplace`, `lowp --help`.\n");
}

const bool registered = register_command([](CLI::App& root) {
  auto* sub =
      root.add_subcommand("demo", "The quick-start job: format table and a tour of quantization");
  sub->callback(run_demo);
});

}  // namespace
}  // namespace lowp::cli
