// The training loop: data -> model step -> optimizer, with evaluation, checkpoints, resume,
// divergence stops and the results store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "models/model.h"
#include "train/config.h"

namespace lowp {

// Where the model and the data come from; default_components() (components.h) is the real
// choice, tests pass their own.
struct Components {
  std::function<std::unique_ptr<Model>(const ModelConfig&, const Recipe&, uint64_t seed)>
      make_model;
  std::function<std::unique_ptr<DataSource>(const TrainConfig&)> make_data;
};

struct StepInfo {
  int64_t step, steps;  // 0-based step just done, of `steps`
  double loss, lr, grad_norm, tokens_per_s;
};

// Watches a run (the console reporter, tests). Calls come from the training thread.
class TrainObserver {
 public:
  virtual ~TrainObserver() = default;
  virtual void on_start(int64_t run_id, int64_t start_step, const std::string& command) {}
  virtual void on_step(const StepInfo& s) {}
  virtual void on_eval(int64_t step, double val_loss) {}
  virtual void on_checkpoint(int64_t step, const std::string& path) {}
};

struct RunResult {
  int64_t run_id = 0;
  std::string status, reason;  // status: one of kStatuses (store.h)
  int64_t steps_done = 0;
  double final_val_loss = 0, tokens_per_s = 0;
  std::string command;  // reproduce_command()
  std::string gemm;     // the GEMM path the run used (nn::gemm_use)
};

// The configuration a run of `given` uses and records: checked, the model resolved (a named
// size expanded, ffn 0 -> the SwiGLU default) and `--optimizer auto` resolved against the
// recipe, which is returned in `recipe` if non-null. `lowp train --print-config` prints it.
TrainConfig effective_config(const TrainConfig& given, Recipe* recipe = nullptr);

// Runs (or, with cfg.resume, continues from the latest checkpoint in cfg.out) one training run
// and records it in cfg.db. cfg.out is locked for the whole run: a second run on it (with or
// without --resume) is refused, naming the first; --resume with no checkpoint there is an
// error. Stops early, with the reason recorded, on a non-finite loss or
// gradient norm, on divergence (diverge_factor), or on SIGINT/SIGTERM (then it writes a
// checkpoint if cfg.out is set). Throws lowp::Error for bad configurations; any other failure
// is recorded as status "failed" and rethrown.
RunResult train(const TrainConfig& cfg, const Components& components, TrainObserver* observer);

// Mean loss over the data source's validation batches, forward only; `step` keys any
// stochastic rounding of the forward pass.
double evaluate(Model& model, DataSource& data, uint64_t step);

struct EvalResult {
  int64_t step = 0, batches = 0;
  double val_loss = 0;
  TrainConfig config;  // the checkpoint's config, with the overrides applied
};
// Rebuilds the model of a checkpoint, loads its weights and evaluates them. Non-empty `data`
// and positive `val_batches` override the checkpoint's config.
EvalResult evaluate_checkpoint(const std::string& path, const Components& components,
                               const std::string& data, int val_batches);

}  // namespace lowp
