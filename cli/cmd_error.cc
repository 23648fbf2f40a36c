// `lowp error FORMAT`: quantization error of a synthetic distribution or of a .npy file.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/format_options.h"
#include "formats/error_stats.h"
#include "tensor/npy.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp::cli {
namespace {

FormatOptions eopts;
std::string dist = "normal", in_path;
long long n_values = 1 << 20;
long long data_seed = 0;

// Uniform in (0, 1) from the counter-based generator: element i of stream `stream`.
double uniform(uint64_t seed, uint32_t stream, uint64_t i) {
  return (static_cast<double>(random_bits(seed, stream, i) >> 8) + 0.5) / 16777216.0;
}

// n samples of `name` (normal, uniform, laplace, lognormal), deterministic in `seed`.
std::vector<float> sample(const std::string& name, int64_t n, uint64_t seed) {
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double u = uniform(seed, 1, static_cast<uint64_t>(i)),
                 v = uniform(seed, 2, static_cast<uint64_t>(i));
    const double g = std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);  // Box-Muller
    double y;
    if (name == "normal")
      y = g;
    else if (name == "uniform")
      y = 2 * u - 1;
    else if (name == "laplace")
      y = (v < 0.5 ? 1 : -1) * std::log(u) / std::sqrt(2.0);  // unit variance
    else if (name == "lognormal")
      y = std::exp(g);
    else
      fail("unknown distribution '" + name + "'; valid: normal, uniform, laplace, lognormal");
    x[static_cast<size_t>(i)] = static_cast<float>(y);
  }
  return x;
}

void run_error() {
  const Format f = eopts.resolve();
  std::vector<float> x;
  int64_t rows, cols;
  std::string source;
  if (!in_path.empty()) {
    NpyArray a = read_npy(in_path);
    x = std::move(a.data);
    cols = a.shape.empty() ? 1 : a.shape.back();
    rows = cols == 0 ? 0 : static_cast<int64_t>(x.size()) / cols;
    source = in_path;
  } else {
    if (n_values < 1 || n_values > (int64_t{1} << 31))
      fail("--n must be in 1..2^31, got " + std::to_string(n_values));
    x = sample(dist, n_values, static_cast<uint64_t>(data_seed));
    cols = n_values % 1024 == 0 ? 1024 : n_values;  // rows of 1024 so `channel` means something
    rows = n_values / cols;
    source = dist + " (seed " + std::to_string(data_seed) + ")";
  }
  if (x.empty()) fail("no values to measure in " + source);
  const ErrorStats s = measure_error(f, x.data(), rows, cols);
  if (s.n == 0)
    fail("no finite values with a finite quantized value in " + source + " (" +
         std::to_string(s.nonfinite) + " inf/NaN inputs, " + std::to_string(s.nonfinite_outputs) +
         " finite inputs quantized to inf/NaN); nothing to measure");
  std::printf("format %s\nsource %s\nn %lld\n", f.to_string().c_str(), source.c_str(),
              static_cast<long long>(s.n));
  if (s.nonfinite)
    std::printf("nonfinite %lld (inf/NaN inputs, excluded)\n", static_cast<long long>(s.nonfinite));
  if (s.nonfinite_outputs)
    std::printf(
        "nonfinite_outputs %lld (finite inputs quantized to inf/NaN - overflow, or a block "
        "holding an inf/NaN - excluded)\n",
        static_cast<long long>(s.nonfinite_outputs));
  std::printf("mse %.9g\nrel_mse %.9g\nsqnr_db %.6f\nfrac_saturated %.9g\nfrac_flushed %.9g\n",
              s.mse, s.rel_mse, s.sqnr_db, s.frac_saturated, s.frac_flushed);
  if (f.cast.round == Round::sr || f.cast.round == Round::sr_equal)
    std::printf("mean_signed_error %.9g\n", s.mean_signed_error);
}

const bool registered = register_command([](CLI::App& root) {
  auto* sub =
      root.add_subcommand("error",
                          "Quantization error of a distribution or a .npy file: MSE, relative MSE, "
                          "SQNR, saturated and flushed fractions");
  eopts.add_to(sub, true);
  sub->add_option("--dist", dist, "normal (default), uniform, laplace, lognormal");
  sub->add_option("--n", n_values, "Number of samples (default 2^20)");
  sub->add_option("--data-seed", data_seed, "Seed of the samples");
  sub->add_option("--in", in_path, "Measure the values of this .npy instead");
  sub->callback(run_error);
});

}  // namespace
}  // namespace lowp::cli
