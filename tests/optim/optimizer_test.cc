// AdamW and SGD against hand-computed steps and PyTorch, clipping, low-precision state, threads.
#include "optim/optimizer.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "formats/scaled.h"
#include "kernels/runtime.h"
#include "recipe/load.h"
#include "util/error.h"
#include "util/philox.h"

namespace lowp {
namespace {

// Parameters with their own storage.
struct Params {
  std::vector<std::vector<float>> value, grad;
  std::vector<Param> list;
  void add(const std::string& name, std::vector<int64_t> shape, std::vector<float> init) {
    value.push_back(init);
    grad.emplace_back(init.size(), 0.0f);
    list.push_back({name, shape, static_cast<int64_t>(init.size()), nullptr, nullptr});
    for (size_t i = 0; i < list.size(); ++i) {  // re-point after the vectors may have moved
      list[i].value = value[i].data();
      list[i].grad = grad[i].data();
    }
  }
};

Recipe fp32() {
  return load_recipe("fp32");
}
Recipe with_slots(const std::string& slots) {
  return parse_recipe("[slots]\n" + slots, "t.toml");
}

// Tolerance against references computed in double or by PyTorch: each step adds at most ~16
// fp32 roundings of relative size 2^-24 per element, over at most 3 steps.
constexpr double kRelTol = 3 * 16 * 0x1p-24;

TEST(AdamW, FirstTwoStepsByHand) {
  Params ps;
  ps.add("w", {1, 1}, {1.0f});
  OptimConfig cfg;
  cfg.beta1 = 0.9, cfg.beta2 = 0.95, cfg.eps = 1e-8, cfg.weight_decay = 0.1, cfg.clip = 0;
  Optimizer opt(cfg, fp32(), ps.list, 1);
  // Step 1 (bias-corrected moments are g and g^2): w = 1 * (1 - 0.1*0.1) - 0.1 * 0.5/(0.5 + 1e-8).
  ps.grad[0][0] = 0.5f;
  opt.step(0.1, 0);
  EXPECT_NEAR(ps.value[0][0], 0.890000002, kRelTol);
  // Step 2, g = -0.25: m = 0.02, v = 0.015, bias corrections 0.19 and 0.0975:
  // w = 0.890000002 * 0.99 - 0.1 * (0.02/0.19) / (sqrt(0.015/0.0975) + 1e-8) = 0.85426306.
  ps.grad[0][0] = -0.25f;
  opt.step(0.1, 1);
  EXPECT_NEAR(ps.value[0][0], 0.8542630578558273, kRelTol);
  const auto st = opt.state();
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].name, "adam.m/w");
  EXPECT_NEAR(st[0].data[0], 0.02, kRelTol);
  EXPECT_NEAR(st[1].data[0], 0.015, kRelTol);
}

// The three gradient steps of torch_reference.py on w [2, 3] (decayed) and b [2] (not decayed).
void run_reference(Optimizer& opt, Params& ps, double lr) {
  const float gw[3][6] = {{0.5f, -0.25f, 1.5f, -2.0f, 0.75f, 0.0f},
                          {-0.25f, 0.5f, 0.5f, 1.0f, -1.25f, 0.5f},
                          {0.125f, 0.0f, -1.0f, 0.5f, 0.25f, -0.5f}};
  const float gb[3][2] = {{0.1f, -0.2f}, {0.3f, 0.05f}, {-0.4f, 0.6f}};
  for (int s = 0; s < 3; ++s) {
    std::memcpy(ps.grad[0].data(), gw[s], sizeof gw[s]);
    std::memcpy(ps.grad[1].data(), gb[s], sizeof gb[s]);
    opt.step(lr, s);
  }
}

Params reference_params() {
  Params ps;
  ps.add("w", {2, 3}, {1.0f, -0.5f, 0.25f, 2.0f, -3.0f, 0.125f});
  ps.add("b", {2}, {0.5f, -0.75f});
  return ps;
}

void expect_weights(const Params& ps, std::vector<double> w, std::vector<double> b) {
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(ps.value[0][i], w[i], kRelTol * 4) << "w" << i;
  for (size_t i = 0; i < b.size(); ++i) EXPECT_NEAR(ps.value[1][i], b[i], kRelTol) << "b" << i;
}

TEST(AdamW, MatchesPyTorch) {
  for (double clip : {0.0, 1.0}) {
    Params ps = reference_params();
    OptimConfig cfg;
    cfg.beta1 = 0.9, cfg.beta2 = 0.95, cfg.eps = 1e-8, cfg.weight_decay = 0.1, cfg.clip = clip;
    Optimizer opt(cfg, fp32(), ps.list, 1);
    run_reference(opt, ps, 0.01);
    if (clip == 0)
      expect_weights(ps,
                     {0.980875194, -0.494996816, 0.228187397, 2.00729227, -2.99691057, 0.117729425},
                     {0.481518418, -0.740020931});
    else
      expect_weights(ps,
                     {0.98285538, -0.497045428, 0.229912877, 2.00360918, -2.99498534, 0.118772581},
                     {0.483303398, -0.741770625});
  }
}

TEST(Sgd, MatchesPyTorch) {
  for (double momentum : {0.9, 0.0}) {
    Params ps = reference_params();
    OptimConfig cfg;
    cfg.name = "sgd", cfg.momentum = momentum, cfg.weight_decay = 0.01;
    cfg.clip = momentum > 0 ? 0.0 : 0.5;
    Optimizer opt(cfg, fp32(), ps.list, 1);
    EXPECT_EQ(opt.state().size(), momentum > 0 ? 2u : 0u);
    run_reference(opt, ps, 0.1);
    if (momentum > 0)
      expect_weights(
          ps, {0.894059777, -0.524492383, -0.152281433, 2.29012966, -2.97377443, 0.0793493465},
          {0.455900013, -0.765300035});
    else
      expect_weights(ps,
                     {0.990079701, -0.507256329, 0.242413789, 1.98718059, -2.98008013, 0.128472596},
                     {0.503885508, -0.768320441});
  }
}

TEST(Clip, ReturnsThePreClipNormAndScalesToTheLimit) {
  Params ps;
  ps.add("a", {1, 1}, {0.0f});
  ps.add("b", {1}, {0.0f});
  OptimConfig cfg;
  cfg.name = "sgd", cfg.momentum = 0, cfg.clip = 1.0;
  Optimizer opt(cfg, fp32(), ps.list, 1);
  ps.grad[0][0] = 3, ps.grad[1][0] = 4;
  EXPECT_DOUBLE_EQ(opt.step(1.0, 0), 5.0);
  // Clipped gradient (0.6, 0.8) * (1 / (1 + 1e-6 / 5)), applied with lr 1.
  EXPECT_NEAR(ps.value[0][0], -0.6, 1e-6);
  EXPECT_NEAR(ps.value[1][0], -0.8, 1e-6);
}

TEST(Clip, NonFiniteGradientLeavesWeightsAlone) {
  Params ps;
  ps.add("a", {2, 1}, {1.0f, 2.0f});
  Optimizer opt(OptimConfig{}, fp32(), ps.list, 1);
  ps.grad[0] = {NAN, 1.0f};
  EXPECT_TRUE(std::isnan(opt.step(0.1, 0)));
  EXPECT_EQ(ps.value[0], (std::vector<float>{1.0f, 2.0f}));
  ps.grad[0] = {INFINITY, 1.0f};
  EXPECT_TRUE(std::isinf(opt.step(0.1, 1)));
  EXPECT_EQ(ps.value[0], (std::vector<float>{1.0f, 2.0f}));
}

TEST(Optimizer, AutoFollowsTheRecipe) {
  OptimConfig cfg;
  EXPECT_EQ(resolve_optimizer(cfg, fp32()), "adamw");
  EXPECT_EQ(resolve_optimizer(cfg, parse_recipe("[options]\noptimizer = \"sgd\"\n", "t")), "sgd");
  cfg.name = "adam";
  EXPECT_THROW(resolve_optimizer(cfg, fp32()), Error);
  cfg = OptimConfig{};
  cfg.beta2 = 1.0;
  EXPECT_THROW(check_optim(cfg), Error);
}

// LP-SGD: weights on the bf16 lattice. An update of 0.001 is a quarter ulp at 0.999 (ulp 2^-8):
// round-to-nearest never moves the weight; stochastic rounding moves it by the right amount on
// average. Tolerance: 6 binomial standard deviations of the mean.
TEST(LowPrecisionMaster, StochasticRoundingIsUnbiasedWhereRneStalls) {
  const int n = 1 << 16;
  for (const char* master : {"bf16", "bf16:round=sr"}) {
    Params ps;
    ps.add("w", {n, 1}, std::vector<float>(n, 1.0f));
    OptimConfig cfg;
    cfg.name = "sgd", cfg.momentum = 0, cfg.clip = 0;
    Optimizer opt(cfg, with_slots(std::string("master = \"") + master + "\"\n"), ps.list, 7);
    std::fill(ps.grad[0].begin(), ps.grad[0].end(), 1.0f);
    opt.step(0.001, 0);
    double mean = 0;
    for (float w : ps.value[0]) {
      EXPECT_TRUE(w == 1.0f || w == 0.99609375f) << w;
      mean += w;
    }
    mean /= n;
    if (std::string(master) == "bf16") {
      EXPECT_EQ(mean, 1.0);
    } else {
      const double p = 0.001 / 0x1p-8, sd = 0x1p-8 * std::sqrt(p * (1 - p) / n);
      EXPECT_NEAR(mean, 0.999, 6 * sd);
    }
  }
}

TEST(LowPrecisionState, MomentsAreRoundedToTheirSlots) {
  const int n = 1000;
  std::vector<float> g(n);
  for (int i = 0; i < n; ++i) g[i] = static_cast<float>(random_bits(3, 0, i)) * 0x1p-32f - 0.5f;
  Params ps;
  ps.add("w", {n / 10, 10}, std::vector<float>(n, 0.5f));
  ps.grad[0] = g;
  OptimConfig cfg;
  cfg.clip = 0;
  Optimizer opt(cfg, with_slots("\"adam.m\" = \"e4m3:tensor\"\n\"adam.v\" = \"fp16\"\n"), ps.list,
                5);
  opt.step(0.01, 0);
  // Expected: the fp32 moments after one step, rounded with the same formats.
  std::vector<float> m(n), v(n);
  for (int i = 0; i < n; ++i) m[i] = 0.1f * g[i], v[i] = 0.05f * (g[i] * g[i]);
  fake_quantize(parse_format("e4m3:tensor"), m.data(), m.data(), n / 10, 10);
  fake_quantize(parse_format("fp16"), v.data(), v.data(), n / 10, 10);
  const auto st = opt.state();
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(st[0].data[i], m[i]) << i;
    ASSERT_EQ(st[1].data[i], v[i]) << i;
  }
}

// Bits of weights and state after 3 steps, with SR on gradients, moments and master weights.
std::vector<uint32_t> run_bits(int threads, const std::string& opt_name) {
  const int n = 100003;  // several work chunks and a ragged tail
  Params ps;
  ps.add("a", {n / 7, 7}, std::vector<float>(n - n % 7, 0.25f));
  ps.add("b", {5}, std::vector<float>(5, -1.0f));
  kernels::set_num_threads(threads);
  OptimConfig cfg;
  cfg.name = opt_name, cfg.weight_decay = 0.01;
  Optimizer opt(cfg,
                with_slots("grad = \"e5m2:round=sr\"\n\"adam.m\" = \"bf16:round=sr\"\n"
                           "\"adam.v\" = \"fp16:round=sr\"\nmaster = \"bf16:round=sr\"\n"),
                ps.list, 11);
  for (uint64_t s = 0; s < 3; ++s) {
    for (size_t p = 0; p < ps.grad.size(); ++p)
      for (size_t i = 0; i < ps.grad[p].size(); ++i)
        ps.grad[p][i] =
            static_cast<float>(random_bits(9, static_cast<uint32_t>(p), s * n + i)) * 0x1p-31f -
            1.0f;
    opt.step(0.01, s);
  }
  std::vector<uint32_t> bits;
  auto take = [&](const float* x, int64_t k) {
    for (int64_t i = 0; i < k; ++i) bits.push_back(std::bit_cast<uint32_t>(x[i]));
  };
  for (const auto& v : ps.value) take(v.data(), static_cast<int64_t>(v.size()));
  for (const auto& t : opt.state()) take(t.data, t.size);
  return bits;
}

TEST(Optimizer, BitIdenticalForAnyThreadCount) {
  const int saved = kernels::num_threads();
  for (const char* name : {"adamw", "sgd"}) {
    const auto one = run_bits(1, name);
    EXPECT_EQ(one, run_bits(2, name)) << name;
    EXPECT_EQ(one, run_bits(3, name)) << name;
  }
  kernels::set_num_threads(saved);
}

}  // namespace
}  // namespace lowp
