// The fitter recovers known constants: exactly without noise, inside its intervals with noise.
#include "study/fit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "tests/study/synth.h"
#include "util/error.h"

namespace lowp::study {
namespace {

using testing::grid_for;
using testing::synthesize;

// Noise-free recovery to 1e-6 relative for every constant of every law (published constants).
TEST(Fit, RecoversEveryLawWithoutNoise) {
  for (const Law* law : all_laws()) {
    const ConstantSet& truth = law->sets().front();
    const auto data = synthesize(*law, truth.values, grid_for(*law), 0, 1);
    FitOptions opt;
    opt.max_starts = 64;
    const auto t0 = std::chrono::steady_clock::now();
    const FitResult r = fit_law(*law, truth, data, opt);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    for (size_t i = 0; i < law->size(); ++i) {
      EXPECT_TRUE(r.frozen[i].empty())
          << law->id() << " " << law->params()[i].name << ": " << r.frozen[i];
      EXPECT_NEAR(r.constants.values[i], truth.values[i], 1e-6 * std::abs(truth.values[i]))
          << law->id() << " " << law->params()[i].name;
    }
    std::printf("%s: %zu rows, J %.3g, %d/%d starts at best, %.0f ms; %s\n", law->id(), data.size(),
                r.objective, r.starts_at_best, r.starts, ms, r.stages.c_str());
  }
}

}  // namespace
}  // namespace lowp::study
