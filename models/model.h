// The boundary between models (nn/, models/) and the trainer (optim/, train/): params, batches,
// steps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "recipe/recipe.h"

namespace lowp {

// One parameter tensor; value and grad point into storage the model owns (contiguous fp32).
struct Param {
  std::string name;            // e.g. "layers.0.attn.wq" (used by recipe overrides, checkpoints)
  std::vector<int64_t> shape;  // row-major
  int64_t size = 0;
  float* value = nullptr;
  float* grad = nullptr;
};

// One batch. Language models: tokens [B, T+1] (inputs [:, :T], targets [:, 1:]).
// Regression / proxy models: x [n, d_in], y [n, d_out].
struct Batch {
  int B = 0, T = 0;
  std::vector<int32_t> tokens;
  int64_t n = 0;
  std::vector<float> x, y;
};

// Model description; the same struct drives the CLI, configs and the results store.
struct ModelConfig {
  std::string kind = "lm";  // lm | mlp_teacher | linreg
  std::string size;         // a named size, or empty for the explicit dimensions below
  // lm
  int layers = 2, d_model = 64, heads = 4, ffn = 0 /* 0: SwiGLU default */, vocab = 256;
  int seq = 64;
  bool tied_embeddings = true;
  // mlp_teacher (student: residual MLP blocks; teacher: frozen plain MLP)
  int d_in = 64, width = 256, depth = 4, teacher_width = 256, teacher_depth = 2;
  // linreg (sketched linear regression, power-law spectrum); sketch_dim 0: no sketch (plain
  // regression on the ambient features). `noise` is also mlp_teacher's target noise.
  int ambient_dim = 1024, sketch_dim = 64;
  double spectrum_exponent = 2.0, noise = 0.0;
  std::string linreg_loss = "squared";  // squared (least squares) | logistic
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::vector<Param>& params() = 0;
  // Forward over `batch` (and, if `backward`, backward accumulating += into every grad);
  // returns the mean loss. `step` keys stochastic rounding and per-step random transforms.
  virtual double step(const Batch& batch, bool backward, uint64_t step) = 0;
  void zero_grad() {
    for (auto& p : params())
      for (int64_t i = 0; i < p.size; ++i) p.grad[i] = 0.0f;
  }
  int64_t num_params() {
    int64_t n = 0;
    for (auto& p : params()) n += p.size;
    return n;
  }
};

// Deterministic batches: the same (seed, step) always gives the same batch.
class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual Batch train_batch(int64_t step) = 0;
  virtual int64_t val_batches() const = 0;
  virtual Batch val_batch(int64_t i) = 0;
};

// Builds a model with weights initialised from `seed`, quantizing per `recipe`.
std::unique_ptr<Model> make_model(const ModelConfig& cfg, const Recipe& recipe, uint64_t seed);

}  // namespace lowp
