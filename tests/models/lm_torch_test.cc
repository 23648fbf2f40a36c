// The lm model against its PyTorch twin (scripts/torch_reference.py): weights and inputs in,
// logits, loss, every gradient and ten AdamW steps of loss compared.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/lm.h"

namespace lowp {
namespace {

// Error model: scripts/torch_reference.py stores, per tensor, how far PyTorch's own fp32
// computation lies from its fp64 one. lowp is another fp32 implementation (other summation
// orders), so its distance from the fp64 reference should be of the same size; we allow
// kSlack times that, plus a few fp32 ulps of the tensor's magnitude for tensors that fp32
// happens to reproduce exactly. A wrong formula errs by O(magnitude), orders beyond this.
constexpr double kSlack = 8.0;
constexpr double kU = 0x1p-24;

struct RefFile {
  nlohmann::json header;
  std::vector<char> data;
  std::map<std::string, nlohmann::json> entries;

  explicit RefFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    char magic[8];
    uint64_t len = 0;
    f.read(magic, 8);
    f.read(reinterpret_cast<char*>(&len), 8);
    if (std::memcmp(magic, "LOWPREF1", 8) != 0) throw std::runtime_error(path + ": bad magic");
    std::string text(len, '\0');
    f.read(text.data(), static_cast<std::streamsize>(len));
    header = nlohmann::json::parse(text);
    data.assign(std::istreambuf_iterator<char>(f), {});
    for (const auto& e : header["tensors"]) entries[e["name"]] = e;
  }
  const nlohmann::json& entry(const std::string& name) const {
    const auto it = entries.find(name);
    if (it == entries.end()) throw std::runtime_error("reference has no tensor " + name);
    return it->second;
  }
  template <typename T>
  std::vector<T> get(const std::string& name) const {
    const auto& e = entry(name);
    int64_t n = 1;
    for (int64_t d : e["shape"]) n *= d;
    std::vector<T> out(n);
    std::memcpy(out.data(), data.data() + e["offset"].get<int64_t>(), n * sizeof(T));
    return out;
  }
  std::vector<int64_t> shape(const std::string& name) const { return entry(name)["shape"]; }
  double fp32_error(const std::string& name) const { return entry(name)["torch_fp32_error"]; }
};

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::fabs(double{x}));
  return m;
}

void expect_matches(const RefFile& ref, const std::string& name, const float* got) {
  const auto want = ref.get<float>(name);
  const double tol = kSlack * ref.fp32_error(name) + 4 * kU * max_abs(want);
  double worst = 0;
  size_t at = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double e = std::fabs(double{got[i]} - want[i]);
    if (!(e <= worst)) worst = e, at = i;
  }
  EXPECT_LE(worst, tol) << name << ": worst error at " << at << " (lowp " << got[at]
                        << ", torch fp64 " << want[at] << "); torch fp32 error "
                        << ref.fp32_error(name);
}

// torch.optim.AdamW, step t (1-based), on one parameter: decoupled weight decay, bias-corrected
// moments, eps added to the corrected root of the second moment.
struct AdamW {
  double lr, b1, b2, eps, wd;
  void update(Param& p, std::vector<float>& m, std::vector<float>& v, int t) const {
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    for (int64_t i = 0; i < p.size; ++i) {
      const float g = p.grad[i];
      p.value[i] *= static_cast<float>(1 - lr * wd);
      m[i] = static_cast<float>(b1 * m[i] + (1 - b1) * g);
      v[i] = static_cast<float>(b2 * v[i] + (1 - b2) * g * g);
      const double denom = std::sqrt(double{v[i]}) / std::sqrt(bc2) + eps;
      p.value[i] -= static_cast<float>(lr / bc1 * m[i] / denom);
    }
  }
};

class LMTorch : public ::testing::TestWithParam<const char*> {};

TEST_P(LMTorch, MatchesPyTorch) {
  const RefFile ref(std::string(LOWP_SOURCE_DIR) + "/tests/data/lm_torch_" + GetParam() + ".bin");
  const auto& c = ref.header["config"];
  ModelConfig cfg;
  cfg.layers = c["layers"];
  cfg.d_model = c["d_model"];
  cfg.heads = c["heads"];
  cfg.ffn = c["ffn"];
  cfg.vocab = c["vocab"];
  cfg.seq = c["T"];
  cfg.tied_embeddings = c["tied"];
  models::LM model(cfg, Recipe{}, 0);

  // Weights: the same names and shapes as the PyTorch model, values copied in.
  size_t torch_params = 0;
  for (const auto& e : ref.header["tensors"]) {
    const std::string n = e["name"];
    torch_params += n != "tokens" && n.find('.') != std::string::npos && n.rfind("grad.", 0) != 0 &&
                    n.rfind("adamw.", 0) != 0;
  }
  ASSERT_EQ(model.params().size(), torch_params);
  for (Param& p : model.params()) {
    ASSERT_EQ(p.shape, ref.shape(p.name)) << p.name;
    const auto w = ref.get<float>(p.name);
    std::copy(w.begin(), w.end(), p.value);
  }
  Batch batch;
  batch.B = c["B"];
  batch.T = c["T"];
  batch.tokens = ref.get<int32_t>("tokens");

  model.zero_grad();
  const float loss = static_cast<float>(model.step(batch, true, 0));
  expect_matches(ref, "loss", &loss);
  expect_matches(ref, "logits", model.logits());
  for (Param& p : model.params()) expect_matches(ref, "grad." + p.name, p.grad);

  // Ten AdamW steps on the same batch; the loss before each update.
  const auto& h = ref.header["adamw"];
  const AdamW opt{h["lr"], h["betas"][0], h["betas"][1], h["eps"], h["weight_decay"]};
  const auto want = ref.get<float>("adamw.losses");
  const auto envelope = ref.get<float>("adamw.losses.torch_fp32_error");
  std::vector<std::vector<float>> m, v;
  for (Param& p : model.params()) {
    m.emplace_back(p.size, 0.0f);
    v.emplace_back(p.size, 0.0f);
  }
  for (int t = 0; t < static_cast<int>(want.size()); ++t) {
    model.zero_grad();
    const double l = model.step(batch, true, t);
    EXPECT_LE(std::fabs(l - want[t]), kSlack * envelope[t] + 4 * kU * std::fabs(want[t]))
        << "AdamW step " << t << ": lowp " << l << ", torch fp64 " << want[t];
    for (size_t i = 0; i < model.params().size(); ++i)
      opt.update(model.params()[i], m[i], v[i], t + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, LMTorch, ::testing::Values("tied", "untied"));

}  // namespace
}  // namespace lowp
