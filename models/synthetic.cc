// Synthetic data sources: Markov tokens, a frozen teacher MLP, power-law linear regression.
#include "models/synthetic.h"

#include <cmath>
#include <string>

#include "models/sizes.h"
#include "nn/layers.h"
#include "nn/linear.h"
#include "nn/random.h"
#include "util/error.h"

namespace lowp::models {
namespace {

// Stream layout of the generators: data draws use stream 1 (train) or 2 (validation), with
// the step (or validation index) in the high index bits; fixed tables use streams >= 16.
constexpr uint32_t kTableStream = 16;
uint64_t at(int64_t index, uint64_t i) {
  return (static_cast<uint64_t>(index) << 36) + i;
}

void require_batch(int batch, int val) {
  if (batch < 1 || val < 0) fail("synthetic data: need batch >= 1 and val_batches >= 0");
}

}  // namespace

// ---- lm ----------------------------------------------------------------------------------

MarkovTokens::MarkovTokens(int vocab, int seq, int batch, uint64_t seed, int val_batches)
    : vocab_(vocab), seq_(seq), batch_(batch), seed_(seed), val_(val_batches) {
  require_batch(batch, val_batches);
  table_.resize(static_cast<size_t>(vocab) * vocab);
  for (size_t i = 0; i < table_.size(); ++i)
    table_[i] = static_cast<int32_t>(random_bits(seed, kTableStream, i) % vocab);
}

double MarkovTokens::entropy_rate() const {
  const double V = vocab_, p_top = 0.9 + 0.1 / V, p_other = 0.1 / V;
  return -p_top * std::log(p_top) - (V - 1) * p_other * std::log(p_other);
}

double MarkovTokens::bigram_entropy() const {
  const int V = vocab_;
  auto prob = [&](int a, int b, int c) {
    return 0.1 / V + (table_[static_cast<size_t>(a) * V + b] == c ? 0.9 : 0.0);
  };
  // Stationary distribution of pairs (a, b) by power iteration from uniform.
  std::vector<double> pi(static_cast<size_t>(V) * V, 1.0 / (V * V)), next(pi.size());
  for (int it = 0; it < 1000; ++it) {
    std::fill(next.begin(), next.end(), 0.0);
    for (int a = 0; a < V; ++a)
      for (int b = 0; b < V; ++b)
        for (int c = 0; c < V; ++c) next[b * V + c] += pi[a * V + b] * prob(a, b, c);
    pi.swap(next);
  }
  double h = 0;
  for (int b = 0; b < V; ++b) {
    double pb = 0;
    for (int a = 0; a < V; ++a) pb += pi[a * V + b];
    for (int c = 0; c < V; ++c) {
      double pc = 0;
      for (int a = 0; a < V; ++a) pc += pi[a * V + b] * prob(a, b, c);
      if (pc > 0) h -= pc * std::log(pc / pb);
    }
  }
  return h;
}

Batch MarkovTokens::make(uint32_t stream, int64_t index) const {
  Batch b;
  b.B = batch_;
  b.T = seq_;
  b.tokens.resize(static_cast<size_t>(batch_) * (seq_ + 1));
  for (int s = 0; s < batch_; ++s) {
    int32_t* t = b.tokens.data() + static_cast<size_t>(s) * (seq_ + 1);
    for (int i = 0; i <= seq_; ++i) {
      const uint64_t k = 2 * (static_cast<uint64_t>(s) * (seq_ + 1) + i);
      const uint32_t pick = random_bits(seed_, stream, at(index, k));
      const uint32_t uniform = random_bits(seed_, stream, at(index, k + 1)) % vocab_;
      const bool follow = i >= 2 && nn::uniform01(pick) < 0.9;
      t[i] = follow ? table_[static_cast<size_t>(t[i - 2]) * vocab_ + t[i - 1]]
                    : static_cast<int32_t>(uniform);
    }
  }
  return b;
}

// ---- mlp_teacher -------------------------------------------------------------------------

TeacherData::TeacherData(const ModelConfig& cfg, uint64_t seed, int batch, int val_batches)
    : d_(cfg.d_in),
      width_(cfg.teacher_width),
      depth_(cfg.teacher_depth),
      batch_(batch),
      val_(val_batches),
      noise_(cfg.noise),
      seed_(seed) {
  require_batch(batch, val_batches);
  for (int l = 0; l < depth_; ++l) {
    w1_.emplace_back(static_cast<size_t>(width_) * d_);
    w2_.emplace_back(static_cast<size_t>(d_) * width_);
    nn::fill_uniform(w1_.back().data(), width_ * d_, 1.0f / std::sqrt(float(d_)), seed,
                     kTableStream + 2 * l);
    nn::fill_uniform(w2_.back().data(), d_ * width_, 1.0f / std::sqrt(float(width_)), seed,
                     kTableStream + 2 * l + 1);
  }
}

void TeacherData::teacher(const float* x, float* y, int64_t n) const {
  nn::Streams streams;
  const nn::LinearQuant fp32 = nn::make_linear_quant(Recipe{}, "teacher", streams);
  std::vector<float> cur(x, x + n * d_), u(n * width_), a(n * width_);
  for (int l = 0; l < depth_; ++l) {
    nn::linear_forward(fp32, u.data(), cur.data(), w1_[l].data(), nullptr, n, d_, width_, 0);
    nn::gelu_forward(a.data(), u.data(), n * width_);
    nn::linear_forward(fp32, cur.data(), a.data(), w2_[l].data(), nullptr, n, width_, d_, 0);
  }
  std::copy(cur.begin(), cur.end(), y);
}

Batch TeacherData::make(uint32_t stream, int64_t index) const {
  Batch b;
  b.n = batch_;
  const int64_t nd = static_cast<int64_t>(batch_) * d_;
  b.x.resize(nd);
  b.y.resize(nd);
  nn::fill_normal(b.x.data(), nd, 1.0f, seed_, stream, at(index, 0));
  teacher(b.x.data(), b.y.data(), batch_);
  for (int64_t i = 0; i < nd; ++i)
    b.y[i] += static_cast<float>(noise_ * nn::normal(seed_, stream + 2, at(index, i)));
  return b;
}

// ---- linreg ------------------------------------------------------------------------------

RegressionData::RegressionData(const ModelConfig& cfg, uint64_t seed, int batch, int val_batches)
    : M_(cfg.ambient_dim),
      batch_(batch),
      val_(val_batches),
      noise_(cfg.noise),
      logistic_(cfg.linreg_loss == "logistic"),
      seed_(seed) {
  require_batch(batch, val_batches);
  lambda_.resize(M_);
  w_.resize(M_);
  for (int i = 0; i < M_; ++i) {
    lambda_[i] = std::pow(static_cast<double>(i + 1), -cfg.spectrum_exponent);
    w_[i] = nn::normal(seed, kTableStream, i);
  }
}

Batch RegressionData::make(uint32_t stream, int64_t index) const {
  Batch b;
  b.n = batch_;
  b.x.resize(static_cast<size_t>(batch_) * M_);
  b.y.resize(batch_);
  for (int s = 0; s < batch_; ++s) {
    double signal = 0;
    for (int i = 0; i < M_; ++i) {
      const uint64_t k = static_cast<uint64_t>(s) * M_ + i;
      const float x =
          static_cast<float>(std::sqrt(lambda_[i]) * nn::normal(seed_, stream, at(index, k)));
      b.x[k] = x;
      signal += x * w_[i];
    }
    const uint32_t draw = random_bits(seed_, stream + 2, at(index, s));
    b.y[s] =
        logistic_
            ? (nn::uniform01(draw) < 1.0 / (1.0 + std::exp(-signal)) ? 1.0f : 0.0f)
            : static_cast<float>(signal + noise_ * nn::normal(seed_, stream + 4, at(index, s)));
  }
  return b;
}

double RegressionData::excess_risk(const std::vector<float>& sketch, const float* v) const {
  const int64_t m = sketch.empty() ? M_ : static_cast<int64_t>(sketch.size()) / M_;
  double risk = 0;
  for (int i = 0; i < M_; ++i) {
    double wi = 0;  // (S^T v)_i
    if (sketch.empty()) {
      wi = v[i];
    } else {
      for (int64_t j = 0; j < m; ++j) wi += double{v[j]} * sketch[j * M_ + i];
    }
    risk += lambda_[i] * (wi - w_[i]) * (wi - w_[i]);
  }
  return risk;
}

double RegressionData::sketch_optimum(const std::vector<float>& sketch) const {
  if (sketch.empty()) return 0.0;  // v = w* is reachable
  const int64_t m = static_cast<int64_t>(sketch.size()) / M_;
  // Normal equations A v = b with A = S H S^T, b = S H w*; optimum = w*^T H w* - b^T v.
  std::vector<double> A(m * m, 0.0), b(m, 0.0);
  for (int64_t j = 0; j < m; ++j)
    for (int i = 0; i < M_; ++i) b[j] += sketch[j * M_ + i] * lambda_[i] * w_[i];
  for (int64_t j = 0; j < m; ++j)
    for (int64_t k = 0; k <= j; ++k) {
      double s = 0;
      for (int i = 0; i < M_; ++i) s += sketch[j * M_ + i] * lambda_[i] * sketch[k * M_ + i];
      A[j * m + k] = A[k * m + j] = s;
    }
  // Cholesky A = L L^T in place (lower triangle), then two triangular solves.
  for (int64_t j = 0; j < m; ++j) {
    for (int64_t k = 0; k < j; ++k) A[j * m + j] -= A[j * m + k] * A[j * m + k];
    if (!(A[j * m + j] > 0)) fail("sketch_optimum: S H S^T is not positive definite");
    A[j * m + j] = std::sqrt(A[j * m + j]);
    for (int64_t r = j + 1; r < m; ++r) {
      for (int64_t k = 0; k < j; ++k) A[r * m + j] -= A[r * m + k] * A[j * m + k];
      A[r * m + j] /= A[j * m + j];
    }
  }
  std::vector<double> v = b;
  for (int64_t j = 0; j < m; ++j) {
    for (int64_t k = 0; k < j; ++k) v[j] -= A[j * m + k] * v[k];
    v[j] /= A[j * m + j];
  }
  for (int64_t j = m - 1; j >= 0; --j) {
    for (int64_t k = j + 1; k < m; ++k) v[j] -= A[k * m + j] * v[k];
    v[j] /= A[j * m + j];
  }
  double opt = 0;
  for (int i = 0; i < M_; ++i) opt += lambda_[i] * w_[i] * w_[i];
  for (int64_t j = 0; j < m; ++j) opt -= b[j] * v[j];
  return opt;
}

std::unique_ptr<DataSource> make_synthetic_data(const ModelConfig& cfg_in, uint64_t seed, int batch,
                                                int val_batches) {
  const ModelConfig cfg = resolve(cfg_in);
  if (cfg.kind == "lm")
    return std::make_unique<MarkovTokens>(cfg.vocab, cfg.seq, batch, seed, val_batches);
  if (cfg.kind == "mlp_teacher")
    return std::make_unique<TeacherData>(cfg, seed, batch, val_batches);
  return std::make_unique<RegressionData>(cfg, seed, batch, val_batches);
}

}  // namespace lowp::models
