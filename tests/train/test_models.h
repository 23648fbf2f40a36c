// Small real models and data for trainer tests (the library's models live in models/):
// a byte-bigram softmax regression with recipe-quantized GEMM operands, and linear regression.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "models/model.h"
#include "tests/common/scratch.h"
#include "train/trainer.h"

namespace lowp::testing {

// logits = Q(E[x]) Q(W)^T + b over byte tokens; E, W [256, d] (layer "layers.0"), b [256].
// Quantizes fwd.x, fwd.w, dgrad.dy, dgrad.w, wgrad.dy, wgrad.x per the recipe, with stochastic
// rounding keyed by (seed, slot, step). `nan_at` >= 0 returns a NaN loss at that step.
class BigramModel : public Model {
 public:
  BigramModel(int d, const Recipe& recipe, uint64_t seed, int64_t nan_at = -1);
  std::vector<Param>& params() override { return params_; }
  double step(const Batch& batch, bool backward, uint64_t step) override;

 private:
  int d_;
  int64_t nan_at_;
  std::vector<float> e_, w_, b_, ge_, gw_, gb_;
  std::vector<Param> params_;
  std::vector<std::string> formats_;  // per slot of kLinearSlots
  uint64_t seed_;
};

// y = x . w + b, loss = mean (y - target)^2 / 2; w [1, d], b [1].
class LinRegModel : public Model {
 public:
  LinRegModel(int d, uint64_t seed);
  std::vector<Param>& params() override { return params_; }
  double step(const Batch& batch, bool backward, uint64_t step) override;

 private:
  int d_;
  std::vector<float> w_, b_, gw_, gb_;
  std::vector<Param> params_;
};

// Targets from a fixed teacher w*_j = sin(j + 1), b* = 0.5; x uniform in [-1, 1)^d, keyed by
// (seed, step); 4 fixed validation batches.
class LinRegData : public DataSource {
 public:
  LinRegData(int d, int batch, uint64_t seed) : d_(d), batch_(batch), seed_(seed) {}
  Batch train_batch(int64_t step) override { return make(0, step); }
  int64_t val_batches() const override { return 4; }
  Batch val_batch(int64_t i) override { return make(1, i); }

 private:
  Batch make(uint32_t stream, int64_t index) const;
  int d_, batch_;
  uint64_t seed_;
};

// Deterministic English-like text (words from a fixed list, sentences, verse numbers).
std::string synthetic_text(size_t bytes, uint64_t seed);
// Writes synthetic_text to <scratch_dir>/<name> and returns the path.
std::string write_text_file(const std::string& name, size_t bytes, uint64_t seed);

// Components for lm runs of BigramModel on TextData, and linreg runs of LinRegModel.
Components test_components(int64_t nan_at = -1);

// Stops a run after step `step` until the test lets it go: writes one byte to `ready`, then
// waits for one byte on `go` (pipe ends; a failed handshake ends the process with status 3).
struct PauseAtStep : TrainObserver {
  int64_t step;
  int ready, go;
  PauseAtStep(int64_t at, int ready_fd, int go_fd) : step(at), ready(ready_fd), go(go_fd) {}
  void on_step(const StepInfo& s) override {
    if (s.step != step) return;
    char b = 'r';
    if (::write(ready, &b, 1) != 1 || ::read(go, &b, 1) != 1) ::_exit(3);
  }
};

}  // namespace lowp::testing
