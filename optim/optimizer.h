// AdamW and SGD with momentum over the model's parameters, with gradient clipping and optimizer
// state (master weights, moments, gradients) optionally held in recipe formats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"
#include "optim/tensor_quantizer.h"

namespace lowp {

struct OptimConfig {
  std::string name = "auto";  // auto (the recipe's `optimizer` option, else adamw) | adamw | sgd
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;  // AdamW
  double momentum = 0.9;                         // SGD (0: plain SGD)
  double weight_decay = 0.0;  // AdamW: decoupled; SGD: L2 on the gradient; rank >= 2 tensors only
  double clip = 1.0;          // global gradient-norm clip (PyTorch clip_grad_norm_); 0 = off
};

// "adamw" or "sgd" after resolving "auto" against the recipe; throws on an unknown name.
std::string resolve_optimizer(const OptimConfig& cfg, const Recipe& recipe);
// Throws lowp::Error naming the first hyperparameter out of range.
void check_optim(const OptimConfig& cfg);

// One named state tensor, for checkpoints (points into the optimizer).
struct StateTensor {
  std::string name;
  float* data;
  int64_t size;
};

// Slots: `grad` (gradients, rounded before the norm), `adam.m` (AdamW first moment or the SGD
// momentum buffer), `adam.v` (AdamW second moment), `master` (the weights: with a format other
// than fp32, the weights themselves live on that lattice - LP-SGD - and the initial weights are
// rounded onto it at construction). Every element's update is independent, so results are
// bit-identical for any thread count.
class Optimizer {
 public:
  Optimizer(const OptimConfig& cfg, const Recipe& recipe, std::vector<Param>& params,
            uint64_t seed);

  // One step at learning rate `lr`; `step` is 0-based (bias correction uses step + 1; rounding
  // draws are keyed by it). Rounds gradients, measures the global L2 norm, clips to cfg.clip,
  // and updates weights and state only if the norm is finite. Returns the pre-clip norm.
  double step(double lr, uint64_t step);

  const std::string& name() const { return name_; }
  std::vector<StateTensor> state();

 private:
  struct Slot {
    TensorQuantizer grad, master, m, v;
  };
  struct Item {  // a chunk of one parameter: the unit of parallel work
    size_t p;
    int64_t begin, end;
  };
  double grad_norm();
  void adamw(double lr, uint64_t step, float gscale);
  void sgd(double lr, uint64_t step, float gscale);

  OptimConfig cfg_;
  std::string name_;
  std::vector<Param>& params_;
  std::vector<Slot> slots_;
  std::vector<std::vector<float>> m_, v_;  // per parameter; v_ empty for SGD
  std::vector<Item> items_;
  std::vector<double> partial_;  // per item, for the norm
};

}  // namespace lowp
