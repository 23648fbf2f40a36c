// Convergence smoke tests: tiny models learn their synthetic tasks within K steps under the
// fp32, bf16 and mxfp8 recipes (with a small Adam loop inside the test; the real optimizers
// live in optim/).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "models/linreg.h"
#include "models/lm.h"
#include "models/synthetic.h"

namespace lowp {
namespace {

Recipe recipe(const std::string& name) {
  Recipe r;
  r.name = name;
  if (name == "fp32") return r;
  const std::string f = name == "bf16" ? "bf16" : "mxfp8_e4m3:scale=rceil";
  for (const char* s : kLinearSlots) r.slots[s] = f;
  if (name == "bf16") r.slots["head"] = r.slots["embed"] = r.slots["act.saved"] = "bf16";
  return r;
}

// Adam (beta 0.9, 0.99) or, with adam = false, plain SGD, for `steps` steps.
void train(Model& model, DataSource& data, int steps, double lr, bool adam = true) {
  std::vector<std::vector<float>> m, v;
  for (Param& p : model.params()) {
    m.emplace_back(p.size, 0.0f);
    v.emplace_back(p.size, 0.0f);
  }
  for (int s = 0; s < steps; ++s) {
    model.zero_grad();
    ASSERT_TRUE(std::isfinite(model.step(data.train_batch(s), true, s))) << "step " << s;
    const double bc1 = 1 - std::pow(0.9, s + 1), bc2 = 1 - std::pow(0.99, s + 1);
    for (size_t k = 0; k < model.params().size(); ++k) {
      Param& p = model.params()[k];
      for (int64_t i = 0; i < p.size; ++i) {
        if (!adam) {
          p.value[i] -= static_cast<float>(lr) * p.grad[i];
          continue;
        }
        m[k][i] = 0.9f * m[k][i] + 0.1f * p.grad[i];
        v[k][i] = 0.99f * v[k][i] + 0.01f * p.grad[i] * p.grad[i];
        p.value[i] -= static_cast<float>(lr / bc1 * m[k][i] / (std::sqrt(v[k][i] / bc2) + 1e-8));
      }
    }
  }
}

double val_loss(Model& model, DataSource& data) {
  double sum = 0;
  for (int64_t i = 0; i < data.val_batches(); ++i) sum += model.step(data.val_batch(i), false, 0);
  return sum / data.val_batches();
}

class Convergence : public ::testing::TestWithParam<const char*> {};

// The order-2 Markov task over 8 tokens: from ln 8 = 2.08 nats toward the entropy rate 0.47.
// Without attending to the token before last the best loss is the bigram entropy (1.27 for
// this chain); the model must get well below it within 200 steps.
TEST_P(Convergence, LMLearnsTheMarkovTask) {
  ModelConfig cfg;
  cfg.layers = 2;
  cfg.d_model = 32;
  cfg.heads = 2;
  cfg.ffn = 64;
  cfg.vocab = 8;
  cfg.seq = 32;
  models::LM model(cfg, recipe(GetParam()), 1);
  models::MarkovTokens data(cfg.vocab, cfg.seq, 8, 2, 4);
  const double before = val_loss(model, data);
  train(model, data, 200, 0.01);
  const double after = val_loss(model, data);
  std::printf("%s lm: validation loss %.4f -> %.4f (entropy rate %.4f, bigram entropy %.4f)\n",
              GetParam(), before, after, data.entropy_rate(), data.bigram_entropy());
  EXPECT_GT(before, std::log(8.0) - 0.2);
  EXPECT_LT(after, data.bigram_entropy() - 0.2);
}

// The student of the instability proxy fits its teacher: validation MSE down 5x in 200 steps.
TEST_P(Convergence, MLPStudentFitsItsTeacher) {
  ModelConfig cfg;
  cfg.kind = "mlp_teacher";
  cfg.d_in = 32;
  cfg.width = 128;
  cfg.depth = 2;
  cfg.teacher_width = 64;
  cfg.teacher_depth = 1;
  auto model = make_model(cfg, recipe(GetParam()), 3);
  auto data = models::make_synthetic_data(cfg, 4, 64);
  const double before = val_loss(*model, *data);
  train(*model, *data, 200, 3e-3);
  const double after = val_loss(*model, *data);
  std::printf("%s mlp_teacher: validation MSE %.5f -> %.5f\n", GetParam(), before, after);
  EXPECT_LT(after, before / 5);
}

// One-pass SGD on sketched regression: the excess risk above what the sketch allows falls 5x
// in 300 steps.
TEST_P(Convergence, SketchedRegressionSGD) {
  ModelConfig cfg;
  cfg.kind = "linreg";
  cfg.ambient_dim = 256;
  cfg.sketch_dim = 64;
  cfg.noise = 0.1;
  models::LinReg model(cfg, recipe(GetParam()), 5);
  models::RegressionData data(cfg, 6, 32, 1);
  const double floor = data.sketch_optimum(model.sketch());
  const double before = data.excess_risk(model.sketch(), model.params()[0].value);
  train(model, data, 300, 0.4, false);
  const double after = data.excess_risk(model.sketch(), model.params()[0].value);
  std::printf("%s linreg: excess risk %.5f -> %.5f (sketch optimum %.5f)\n", GetParam(), before,
              after, floor);
  EXPECT_GE(after, floor);
  EXPECT_LT(after - floor, (before - floor) / 5);
}

INSTANTIATE_TEST_SUITE_P(Recipes, Convergence, ::testing::Values("fp32", "bf16", "mxfp8"));

}  // namespace
}  // namespace lowp
