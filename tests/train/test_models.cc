// The test models: forward/backward by hand, quantizing GEMM operands with the format oracle.
#include "test_models.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "formats/scaled.h"
#include "optim/tensor_quantizer.h"
#include "recipe/recipe.h"
#include "train/text_data.h"
#include "util/philox.h"

namespace lowp::testing {
namespace {

constexpr int kV = 256;

float uniform(uint64_t seed, uint32_t stream, uint64_t i) {
  return static_cast<float>(random_bits(seed, stream, i)) * 0x1p-31f - 1.0f;  // [-1, 1)
}

// Fake-quantizes x [rows, cols] with `text`; blocks along columns when `col`. Rounding draws
// are keyed by (seed, slot, step).
std::vector<float> q(const std::string& text, const std::vector<float>& x, int64_t rows,
                     int64_t cols, bool col, uint64_t seed, int slot, uint64_t step) {
  if (text == "fp32") return x;
  Format f = parse_format(text);
  f.axis = col ? Axis::col : Axis::row;
  f.cast.seed = seed;
  f.cast.stream = static_cast<uint32_t>(slot);
  std::vector<float> y(x.size());
  fake_quantize(f, x.data(), y.data(), rows, cols, step << 32);
  return y;
}

}  // namespace

BigramModel::BigramModel(int d, const Recipe& recipe, uint64_t seed, int64_t nan_at)
    : d_(d), nan_at_(nan_at), seed_(seed) {
  const size_t n = static_cast<size_t>(kV) * d;
  e_.resize(n), w_.resize(n), b_.assign(kV, 0.0f);
  ge_.assign(n, 0), gw_.assign(n, 0), gb_.assign(kV, 0);
  const float a = 1.0f / std::sqrt(static_cast<float>(d));
  for (size_t i = 0; i < n; ++i) e_[i] = uniform(seed, 1, i), w_[i] = a * uniform(seed, 2, i);
  params_ = {{"embed", {kV, d}, static_cast<int64_t>(n), e_.data(), ge_.data()},
             {"layers.0.w", {kV, d}, static_cast<int64_t>(n), w_.data(), gw_.data()},
             {"layers.0.b", {kV}, kV, b_.data(), gb_.data()}};
  for (const char* s : kLinearSlots) formats_.push_back(recipe.format_for("layers.0", s));
}

double BigramModel::step(const Batch& batch, bool backward, uint64_t step) {
  if (static_cast<int64_t>(step) == nan_at_ && backward)
    return std::numeric_limits<double>::quiet_NaN();
  const int B = batch.B, T = batch.T, d = d_;
  const int64_t N = static_cast<int64_t>(B) * T;
  std::vector<float> h(N * d);  // (N, d)
  std::vector<int> y(N);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const int64_t i = static_cast<int64_t>(b) * T + t;
      const int x = batch.tokens[static_cast<size_t>(b) * (T + 1) + t];
      y[i] = batch.tokens[static_cast<size_t>(b) * (T + 1) + t + 1];
      std::copy_n(e_.begin() + static_cast<int64_t>(x) * d, d, h.begin() + i * d);
    }
  const auto hq = q(formats_[0], h, N, d, false, seed_, 0, step);
  const auto wq = q(formats_[1], w_, kV, d, false, seed_, 1, step);
  std::vector<float> p(N * kV);  // (N, V): logits, then probabilities, then dlogits
  double loss = 0;
  for (int64_t i = 0; i < N; ++i) {
    float* row = &p[i * kV];
    float mx = -INFINITY;
    for (int v = 0; v < kV; ++v) {
      float s = b_[v];
      for (int k = 0; k < d; ++k) s += hq[i * d + k] * wq[static_cast<int64_t>(v) * d + k];
      row[v] = s;
      mx = std::max(mx, s);
    }
    double z = 0;
    for (int v = 0; v < kV; ++v) z += std::exp(static_cast<double>(row[v] - mx));
    loss += std::log(z) - (row[y[i]] - mx);
    for (int v = 0; v < kV; ++v)
      row[v] = static_cast<float>(std::exp(static_cast<double>(row[v] - mx)) / z);
  }
  loss /= static_cast<double>(N);
  if (!backward) return loss;
  for (int64_t i = 0; i < N; ++i) {
    p[i * kV + y[i]] -= 1.0f;
    for (int v = 0; v < kV; ++v) p[i * kV + v] /= static_cast<float>(N);
  }
  for (int64_t i = 0; i < N; ++i)
    for (int v = 0; v < kV; ++v) gb_[v] += p[i * kV + v];
  // dW = dY^T X (blocks along the token axis), dH = dY W (blocks along V).
  const auto dyw = q(formats_[4], p, N, kV, true, seed_, 4, step);
  const auto xw = q(formats_[5], h, N, d, true, seed_, 5, step);
  for (int64_t i = 0; i < N; ++i)
    for (int v = 0; v < kV; ++v)
      for (int k = 0; k < d; ++k)
        gw_[static_cast<int64_t>(v) * d + k] += dyw[i * kV + v] * xw[i * d + k];
  const auto dyd = q(formats_[2], p, N, kV, false, seed_, 2, step);
  const auto wd = q(formats_[3], w_, kV, d, true, seed_, 3, step);
  for (int64_t i = 0; i < N; ++i) {
    const int x = batch.tokens[static_cast<size_t>(i / T) * (T + 1) + i % T];
    for (int k = 0; k < d; ++k) {
      float s = 0;
      for (int v = 0; v < kV; ++v) s += dyd[i * kV + v] * wd[static_cast<int64_t>(v) * d + k];
      ge_[static_cast<int64_t>(x) * d + k] += s;
    }
  }
  return loss;
}

LinRegModel::LinRegModel(int d, uint64_t seed) : d_(d) {
  w_.resize(d), b_.assign(1, 0.0f), gw_.assign(d, 0), gb_.assign(1, 0);
  for (int j = 0; j < d; ++j) w_[j] = 0.1f * uniform(seed, 7, j);
  params_ = {{"w", {1, d}, d, w_.data(), gw_.data()}, {"b", {1}, 1, b_.data(), gb_.data()}};
}

double LinRegModel::step(const Batch& batch, bool backward, uint64_t) {
  double loss = 0;
  for (int64_t i = 0; i < batch.n; ++i) {
    float pred = b_[0];
    for (int j = 0; j < d_; ++j) pred += w_[j] * batch.x[i * d_ + j];
    const float r = pred - batch.y[i];
    loss += 0.5 * static_cast<double>(r) * r;
    if (!backward) continue;
    const float g = r / static_cast<float>(batch.n);
    for (int j = 0; j < d_; ++j) gw_[j] += g * batch.x[i * d_ + j];
    gb_[0] += g;
  }
  return loss / static_cast<double>(batch.n);
}

Batch LinRegData::make(uint32_t stream, int64_t index) const {
  Batch b;
  b.n = batch_;
  b.x.resize(static_cast<size_t>(batch_) * d_);
  b.y.resize(batch_);
  const uint64_t base = static_cast<uint64_t>(index) * batch_ * d_;
  for (int i = 0; i < batch_; ++i) {
    float t = 0.5f;
    for (int j = 0; j < d_; ++j) {
      const float x = uniform(seed_, 100 + stream, base + static_cast<uint64_t>(i) * d_ + j);
      b.x[static_cast<size_t>(i) * d_ + j] = x;
      t += std::sin(static_cast<float>(j + 1)) * x;
    }
    b.y[i] = t;
  }
  return b;
}

std::string synthetic_text(size_t bytes, uint64_t seed) {
  static const char* words[] = {"and",   "the",   "lord", "said",   "unto",   "moses",
                                "of",    "in",    "land", "people", "behold", "children",
                                "house", "came",  "went", "they",   "them",   "that",
                                "which", "shall", "be",   "is"};
  std::string s;
  uint64_t i = 0;
  while (s.size() < bytes) {
    s += std::to_string(1 + random_bits(seed, 9, i++) % 30) + " ";
    const int n = 4 + static_cast<int>(random_bits(seed, 9, i++) % 12);
    for (int w = 0; w < n; ++w) {
      s += words[random_bits(seed, 9, i++) % (sizeof words / sizeof *words)];
      s += w + 1 < n ? (random_bits(seed, 9, i++) % 7 == 0 ? ", " : " ") : ".\n";
    }
  }
  s.resize(bytes);
  return s;
}

std::string write_text_file(const std::string& name, size_t bytes, uint64_t seed) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << synthetic_text(bytes, seed);
  return path;
}

Components test_components(int64_t nan_at) {
  Components c;
  c.make_model = [nan_at](const ModelConfig& m, const Recipe& r,
                          uint64_t seed) -> std::unique_ptr<Model> {
    if (m.kind == "linreg") return std::make_unique<LinRegModel>(m.sketch_dim, seed);
    return std::make_unique<BigramModel>(m.d_model, r, seed, nan_at);
  };
  c.make_data = [](const TrainConfig& cfg) -> std::unique_ptr<DataSource> {
    if (cfg.model.kind == "linreg")
      return std::make_unique<LinRegData>(cfg.model.sketch_dim, cfg.batch, cfg.seed);
    return std::make_unique<TextData>(cfg.data, cfg.batch, cfg.model.seq, cfg.seed,
                                      cfg.val_fraction, cfg.val_batches);
  };
  return c;
}

}  // namespace lowp::testing
