// Forward and backward give the same bits for every thread count (fp32 and quantized recipes
// with stochastic rounding and random Hadamard transforms), and for every model kind.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernels/runtime.h"
#include "models/synthetic.h"

namespace lowp {
namespace {

struct Result {
  double loss;
  std::vector<std::vector<float>> grads;
};

Result run(const ModelConfig& cfg, const Recipe& recipe, int threads) {
  kernels::set_num_threads(threads);
  auto model = make_model(cfg, recipe, 11);
  auto data = models::make_synthetic_data(cfg, 5, cfg.kind == "lm" ? 4 : 64);
  Result r{0, {}};
  model->zero_grad();
  for (int64_t s = 0; s < 2; ++s) r.loss += model->step(data->train_batch(s), true, s);
  for (Param& p : model->params()) r.grads.emplace_back(p.grad, p.grad + p.size);
  kernels::set_num_threads(1);
  return r;
}

void expect_same_for_thread_counts(const ModelConfig& cfg, const Recipe& recipe) {
  const Result one = run(cfg, recipe, 1);
  for (const int threads : {2, 3}) {
    const Result r = run(cfg, recipe, threads);
    EXPECT_EQ(std::memcmp(&one.loss, &r.loss, sizeof(double)), 0)
        << cfg.kind << " " << recipe.name << ": loss differs with " << threads << " threads";
    for (size_t i = 0; i < one.grads.size(); ++i)
      ASSERT_EQ(
          std::memcmp(one.grads[i].data(), r.grads[i].data(), one.grads[i].size() * sizeof(float)),
          0)
          << cfg.kind << " " << recipe.name << ": gradient " << i << " differs with " << threads
          << " threads";
  }
}

Recipe quantized() {
  Recipe r;
  r.name = "mxfp8-sr-hadamard";
  for (const char* s : kLinearSlots) r.slots[s] = "mxfp8_e4m3";
  r.slots["dgrad.dy"] = r.slots["wgrad.dy"] = "mxfp8_e5m2:round=sr";
  r.slots["attn.dS"] = "e4m3:block=16:scale=pow2:round=sr";
  r.slots["act.saved"] = "bf16";
  Transform t;
  t.hadamard = 32;
  t.random_signs = true;
  t.new_signs_each_step = true;
  r.transforms["wgrad"] = t;
  return r;
}

TEST(Determinism, LMForwardBackwardBitsIgnoreThreadCount) {
  ModelConfig cfg;
  cfg.layers = 2;
  cfg.d_model = 64;
  cfg.heads = 2;
  cfg.vocab = 64;
  cfg.seq = 96;  // 4 x 96 tokens: several GEMM row blocks; T crosses a causal block
  expect_same_for_thread_counts(cfg, Recipe{});
  expect_same_for_thread_counts(cfg, quantized());
}

TEST(Determinism, ProxyModelsBitsIgnoreThreadCount) {
  ModelConfig mlp;
  mlp.kind = "mlp_teacher";
  mlp.d_in = 32;
  mlp.width = 128;
  mlp.depth = 2;
  mlp.noise = 0.01;
  expect_same_for_thread_counts(mlp, Recipe{});
  expect_same_for_thread_counts(mlp, quantized());
  ModelConfig lin;
  lin.kind = "linreg";
  lin.ambient_dim = 256;
  lin.sketch_dim = 64;
  expect_same_for_thread_counts(lin, quantized());
}

}  // namespace
}  // namespace lowp
