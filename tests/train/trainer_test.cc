// The training loop with test-local models: learning with every preset, stops with reasons,
// failures recorded, the store's record of a run, checkpoint evaluation, the console view.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "models/sizes.h"
#include "recipe/presets.h"
#include "store/store.h"
#include "test_models.h"
#include "train/checkpoint.h"
#include "train/console.h"
#include "util/error.h"

namespace lowp {
namespace {

using testing::test_components;

std::string fresh(const std::string& name) {
  const std::string p = testing::scratch_dir() + "/" + name;
  std::filesystem::remove_all(p);
  for (const char* ext : {"-wal", "-shm"}) std::filesystem::remove(p + ext);
  return p;
}

TrainConfig lm_config(const std::string& name) {
  TrainConfig c;
  c.model.kind = "lm";
  c.model.d_model = 16;
  c.model.seq = 32;
  c.batch = 8;
  c.steps = 120;
  c.schedule.lr = 0.05;
  c.schedule.warmup = 5;
  c.data = testing::write_text_file("corpus.txt", 1 << 16, 3);
  c.val_fraction = 0.25;
  c.val_batches = 4;
  c.db = fresh(name + ".db");
  return c;
}

// A smoke test per preset: the bigram model must get well below the uniform loss ln 256 = 5.55
// within 120 steps (fp32 reaches 1.57 here, mxfp4 1.64, nvfp4 1.74), and 4-bit GEMM operands
// must cost something (the recipe reaches the model).
TEST(Trainer, LearnsWithEveryPreset) {
  std::map<std::string, double> loss;
  for (const auto& p : presets()) {
    TrainConfig c = lm_config("presets");
    c.recipe = p.name;
    const RunResult r = train(c, test_components(), nullptr);
    EXPECT_EQ(r.status, "completed") << p.name << ": " << r.reason;
    EXPECT_LT(r.final_val_loss, 2.0) << p.name;
    EXPECT_EQ(r.steps_done, 120);
    loss[p.name] = r.final_val_loss;
  }
  EXPECT_GT(loss["mxfp4"], loss["fp32"] + 0.01);
  EXPECT_GT(loss["nvfp4"], loss["fp32"] + 0.01);
}

TEST(Trainer, LinearRegressionConvergesWithSgd) {
  TrainConfig c;
  c.model.kind = "linreg";
  c.model.sketch_dim = 8;
  c.batch = 32;
  c.steps = 300;
  c.schedule = {0.1, 0, 0.1};
  c.optim.name = "sgd";
  c.db = fresh("linreg.db");
  const RunResult r = train(c, test_components(), nullptr);
  EXPECT_EQ(r.status, "completed");
  EXPECT_LT(r.final_val_loss, 1e-3);  // noise-free targets: the loss goes to 0
}

TEST(Trainer, StoreHoldsTheWholeRun) {
  TrainConfig c = lm_config("record");
  c.steps = 30, c.eval_every = 10, c.recipe = "mxfp4", c.out = fresh("record_ckpt");
  const RunResult r = train(c, test_components(), nullptr);
  ASSERT_EQ(r.status, "completed");
  Store st(c.db, true);
  const RunRow row = *st.run(r.run_id);
  EXPECT_EQ(row.status, "completed");
  TrainConfig recorded = c;
  recorded.optim.name = "adamw";              // `auto` is recorded resolved, and so are the model's
  recorded.model = models::resolve(c.model);  // dimensions (ffn 0 -> the SwiGLU default)
  EXPECT_EQ(row.command, reproduce_command(recorded));
  EXPECT_EQ(row.command, r.command);
  EXPECT_EQ(config_from_json(row.config_json).optim.name, "adamw");
  EXPECT_EQ(row.recipe_name, "mxfp4");
  EXPECT_EQ(row.gemm, r.gemm);  // the test model's GEMM use (Cli.TrainRecordsTheGemmPath: lm's)
  EXPECT_FALSE(row.gemm.empty());
  EXPECT_EQ(row.steps_done, 30);
  EXPECT_EQ(row.num_params, 2 * 256 * 16 + 256);
  EXPECT_EQ(*row.final_val_loss, r.final_val_loss);
  EXPECT_FALSE(row.code_version.empty());
  EXPECT_EQ(config_from_json(row.config_json).schedule.lr, 0.05);
  const auto m = st.metrics(r.run_id);
  ASSERT_EQ(m.size(), 30u);
  EXPECT_DOUBLE_EQ(m[0].lr, 0.05 / 5);  // warmup
  EXPECT_GT(m[0].grad_norm, 0);
  const auto e = st.evals(r.run_id);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[2].step, 30);
  EXPECT_EQ(e[2].val_loss, r.final_val_loss);
  bool saw_lr = false;
  for (const auto& col : st.config_columns(r.run_id))
    if (col.name == "lr") saw_lr = std::get<double>(col.value) == 0.05;
  EXPECT_TRUE(saw_lr);
  const auto f = st.formats(r.run_id);
  ASSERT_EQ(f.size(), 6u);  // the six linear slots of the mxfp4 preset
  EXPECT_EQ(f[0].format, "mxfp4");
  // The final checkpoint evaluates to the same bits.
  const EvalResult ev = evaluate_checkpoint(c.out + "/ckpt-30.bin", test_components(), "", 0);
  EXPECT_EQ(ev.step, 30);
  EXPECT_EQ(ev.val_loss, r.final_val_loss);
  EXPECT_EQ(ev.batches, 4);
}

TEST(Trainer, NanLossStopsTheRunWithTheReason) {
  TrainConfig c = lm_config("nan");
  c.steps = 20;
  const RunResult r = train(c, test_components(/*nan_at=*/5), nullptr);
  EXPECT_EQ(r.status, "diverged");
  EXPECT_EQ(r.reason, "loss is nan at step 5");
  EXPECT_EQ(r.steps_done, 6);
  Store st(c.db, true);
  const RunRow row = *st.run(r.run_id);
  EXPECT_EQ(row.status, "diverged");
  EXPECT_EQ(row.reason, "loss is nan at step 5");
  EXPECT_FALSE(row.final_val_loss.has_value());
  const auto m = st.metrics(r.run_id);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_TRUE(std::isnan(m[5].loss));
}

TEST(Trainer, DivergenceStopsTheRun) {
  TrainConfig c;
  c.model.kind = "linreg";
  c.model.sketch_dim = 8;
  c.steps = 200;
  c.schedule = {20.0, 0, 1.0};
  c.optim.name = "sgd", c.optim.momentum = 0, c.optim.clip = 0;
  c.db = fresh("diverge.db");
  const RunResult r = train(c, test_components(), nullptr);
  EXPECT_EQ(r.status, "diverged");
  EXPECT_NE(r.reason.find("exceeds --diverge-factor 4 x the first loss"), std::string::npos)
      << r.reason;
  EXPECT_LT(r.steps_done, 20);
}

TEST(Trainer, AFailingModelIsRecordedAndRethrown) {
  Components comp = test_components();
  comp.make_model = [](const ModelConfig&, const Recipe&, uint64_t) -> std::unique_ptr<Model> {
    struct Broken : testing::LinRegModel {
      Broken() : LinRegModel(8, 1) {}
      double step(const Batch& b, bool bw, uint64_t s) override {
        if (s == 3) throw std::runtime_error("out of cheese");
        return LinRegModel::step(b, bw, s);
      }
    };
    return std::make_unique<Broken>();
  };
  TrainConfig c;
  c.model.kind = "linreg";
  c.model.sketch_dim = 8;
  c.steps = 10;
  c.db = fresh("failed.db");
  EXPECT_THROW(train(c, comp, nullptr), std::runtime_error);
  Store st(c.db, true);
  const RunRow row = st.runs().at(0);
  EXPECT_EQ(row.status, "failed");
  EXPECT_EQ(row.reason, "out of cheese");
  EXPECT_EQ(row.steps_done, 3);
}

TEST(Trainer, BadConfigurationsFailBeforeAnyWrite) {
  TrainConfig c = lm_config("bad");
  c.recipe = "nosuch";
  EXPECT_THROW(train(c, test_components(), nullptr), Error);
  c.recipe = "fp32";
  c.data = fresh("missing.txt");
  EXPECT_THROW(train(c, test_components(), nullptr), Error);
  EXPECT_FALSE(std::filesystem::exists(c.db));
}

// The console view: progress on the error stream, `final val_loss ... tokens/s ...` last on out.
TEST(ConsoleReporter, FinalLineIsLastOnStdout) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  TrainConfig c = lm_config("console");
  c.steps = 10, c.eval_every = 5;
  ConsoleReporter rep(out, err);
  const RunResult r = train(c, test_components(), &rep);
  rep.finish(r);
  auto read = [](std::FILE* f) {
    std::rewind(f);
    std::string s;
    for (int ch; (ch = std::fgetc(f)) != EOF;) s += static_cast<char>(ch);
    std::fclose(f);
    return s;
  };
  const std::string o = read(out), e = read(err);
  EXPECT_EQ(o.rfind("run " + std::to_string(r.run_id) + ": lowp train --model lm", 0), 0u) << o;
  const size_t last = o.rfind("final val_loss ");
  ASSERT_NE(last, std::string::npos) << o;
  double v = 0, tps = 0;
  ASSERT_EQ(std::sscanf(o.c_str() + last, "final val_loss %lf tokens/s %lf\n", &v, &tps), 2);
  EXPECT_NEAR(v, r.final_val_loss, 1e-6);
  EXPECT_GT(tps, 0);
  EXPECT_EQ(o.back(), '\n');
  EXPECT_EQ(o.find('\n', last), o.size() - 1);  // nothing after it
  EXPECT_NE(e.find("step 10/10 [####################] loss "), std::string::npos) << e;
  EXPECT_NE(e.find("step 5 val_loss "), std::string::npos) << e;
  EXPECT_NE(e.find("tok/s ETA "), std::string::npos) << e;
}

}  // namespace
}  // namespace lowp
