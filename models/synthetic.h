// Deterministic synthetic data for every model kind: each batch is a pure function of
// (seed, step) or (seed, validation index).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/model.h"

namespace lowp::models {

// lm: an order-2 Markov chain over the vocabulary. After tokens (a, b) comes table[a][b] with
// probability 0.9, else a uniform token; the first two tokens of a sequence are uniform. A model
// must attend to the token before last to go below the bigram entropy. Batches: B = batch,
// T = cfg.seq.
class MarkovTokens final : public DataSource {
 public:
  MarkovTokens(int vocab, int seq, int batch, uint64_t seed, int val_batches);
  Batch train_batch(int64_t step) override { return make(1, step); }
  int64_t val_batches() const override { return val_; }
  Batch val_batch(int64_t i) override { return make(2, i); }
  double entropy_rate() const;  // nats per token, from the third token of a sequence on
  // The conditional entropy of a token given only the one before it, under the chain's
  // stationary distribution: the best loss without attending further back.
  double bigram_entropy() const;

 private:
  Batch make(uint32_t stream, int64_t index) const;
  int vocab_, seq_, batch_;
  uint64_t seed_;
  int val_;
  std::vector<int32_t> table_;  // (vocab, vocab)
};

// mlp_teacher: x ~ N(0, I_d) (n = batch, d = d_in), y = teacher(x) + noise * N(0, I), with the
// frozen teacher a plain MLP of teacher_depth blocks Linear(d, teacher_width, no bias), GELU,
// Linear(teacher_width, d, no bias), initialised as PyTorch's default Linear from `seed`.
class TeacherData final : public DataSource {
 public:
  TeacherData(const ModelConfig& cfg, uint64_t seed, int batch, int val_batches);
  Batch train_batch(int64_t step) override { return make(1, step); }
  int64_t val_batches() const override { return val_; }
  Batch val_batch(int64_t i) override { return make(2, i); }
  // y = teacher(x) for x (n, d) without noise.
  void teacher(const float* x, float* y, int64_t n) const;

 private:
  Batch make(uint32_t stream, int64_t index) const;
  int d_, width_, depth_, batch_, val_;
  double noise_;
  uint64_t seed_;
  std::vector<std::vector<float>> w1_, w2_;  // per block: (width, d), (d, width)
};

// linreg: x ~ N(0, H) with H = diag(i^-a), i = 1..ambient_dim (a = spectrum_exponent), a
// target w* ~ N(0, I) drawn once from `seed`; y = <x, w*> + noise * N(0, 1) (squared loss) or
// y ~ Bernoulli(sigmoid(<x, w*>)) (logistic). Every step brings fresh samples (one-pass SGD).
class RegressionData final : public DataSource {
 public:
  RegressionData(const ModelConfig& cfg, uint64_t seed, int batch, int val_batches);
  Batch train_batch(int64_t step) override { return make(1, step); }
  int64_t val_batches() const override { return val_; }
  Batch val_batch(int64_t i) override { return make(2, i); }
  // Excess population risk of the squared loss for weights v (1, m) after sketch S (m, M)
  // (empty: no sketch): (S^T v - w*)^T H (S^T v - w*).
  double excess_risk(const std::vector<float>& sketch, const float* v) const;
  // The smallest excess risk any v reaches through that sketch (its approximation error).
  double sketch_optimum(const std::vector<float>& sketch) const;
  const std::vector<double>& spectrum() const { return lambda_; }

 private:
  Batch make(uint32_t stream, int64_t index) const;
  int M_, batch_, val_;
  double noise_;
  bool logistic_;
  uint64_t seed_;
  std::vector<double> lambda_, w_;
};

// The synthetic source of cfg.kind with `batch` sequences or samples per step and
// `val_batches` fixed validation batches.
std::unique_ptr<DataSource> make_synthetic_data(const ModelConfig& cfg, uint64_t seed, int batch,
                                                int val_batches = 4);

}  // namespace lowp::models
