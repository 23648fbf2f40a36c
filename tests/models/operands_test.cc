// For a quantized recipe, every GEMM operand of one lm step is exactly the quantization of its
// high-precision operand in its slot's format, along the right axis, with its own random bits.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "formats/scaled.h"
#include "kernels/hadamard.h"
#include "models/lm.h"
#include "models/synthetic.h"
#include "nn/qgemm.h"
#include "nn/quantizer.h"
#include "recipe/load.h"

namespace lowp {
namespace {

struct Operand {
  std::string slot;
  Format format;
  nn::Hadamard transform;
  Axis reduction;
  const float* raw_ptr;
  std::vector<float> raw, quantized;  // compact copies, stored layout
  int64_t rows, cols;
  uint64_t index_base;
};
struct Record {
  std::string layer, gemm;
  int64_t piece;
  Operand a, b;
  nn::GemmPath path;
};

std::vector<float> compact(nn::Mat m, int64_t rows, int64_t cols) {
  std::vector<float> out(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(out.data() + r * cols, m.p + r * m.ld, cols * sizeof(float));
  return out;
}

Operand copy(const nn::OperandRecord& o) {
  return {o.slot,
          *o.format,
          o.transform,
          o.reduction,
          o.raw.p,
          compact(o.raw, o.rows, o.cols),
          compact(o.quantized, o.rows, o.cols),
          o.rows,
          o.cols,
          o.index_base};
}

// The reduction axis of each (gemm, operand) in the operand's stored layout (recipes.md).
Axis expected_axis(const std::string& gemm, bool a) {
  static const std::map<std::string, std::pair<Axis, Axis>> table = {
      {"fwd", {Axis::row, Axis::row}},     {"dgrad", {Axis::row, Axis::col}},
      {"wgrad", {Axis::col, Axis::col}},   {"attn.qk", {Axis::row, Axis::row}},
      {"attn.pv", {Axis::row, Axis::col}}, {"attn.dp", {Axis::row, Axis::row}},
      {"attn.dv", {Axis::col, Axis::col}}, {"attn.dq", {Axis::row, Axis::col}},
      {"attn.dk", {Axis::col, Axis::col}}};
  const auto& e = table.at(gemm);
  return a ? e.first : e.second;
}

Recipe test_recipe() {
  Recipe r;
  r.name = "operand-test";
  // A different format per slot, so that a swapped slot or axis shows.
  r.slots = {{"fwd.x", "mxfp8_e4m3"},
             {"fwd.w", "mxfp6_e3m2"},
             {"dgrad.dy", "mxfp8_e5m2:round=sr"},
             {"dgrad.w", "mxfp4"},
             {"wgrad.dy", "e4m3:block=16:scale=pow2:round=sr"},
             {"wgrad.x", "mxfp6_e2m3"},
             {"attn.q", "e4m3:block=8:scale=pow2"},
             {"attn.k", "e5m2:block=8:scale=pow2"},
             {"attn.p", "mxfp8_e4m3"},
             {"attn.v", "e3m2:block=16:scale=pow2"},
             {"attn.dO", "e5m2:block=16:scale=pow2:round=sr"},
             {"attn.dS", "e4m3:block=16:scale=pow2:round=sr"},
             {"head", "mxfp8_e4m3:round=sr"}};
  r.overrides = {{"layers.1.mlp.w2", "fwd.w", "bf16"}};
  Transform t;
  t.hadamard = 16;
  t.random_signs = true;
  t.new_signs_each_step = true;
  r.transforms["wgrad"] = t;
  return r;
}

// Runs one lm step under `recipe` and checks every GEMM operand; `sr_streams_expected`: the
// number of distinct stochastic-rounding streams among the operands; `kept_expected`: the
// number of weight-gradient X operands read from the forward's bf16 copy.
void check_every_operand(const Recipe& recipe, size_t sr_streams_expected, int kept_expected = 0) {
  ModelConfig cfg;
  cfg.layers = 2;
  cfg.d_model = 32;
  cfg.heads = 2;
  cfg.ffn = 64;
  cfg.vocab = 64;
  cfg.seq = 32;
  models::LM model(cfg, recipe, 7);
  auto data = models::make_synthetic_data(model.config(), 3, 2);
  const Batch batch = data->train_batch(0);
  const uint64_t step = 3;

  std::vector<Record> records;
  nn::set_gemm_tap([&](const nn::GemmRecord& r) {
    records.push_back({std::string(r.layer), r.gemm, r.piece, copy(r.a), copy(r.b), r.path});
  });
  model.step(batch, true, step);
  nn::set_gemm_tap({});

  // 2 layers x 4 linears x 3 GEMMs + head x 3, and 6 attention GEMMs per layer and piece.
  const int64_t pieces = batch.B * cfg.heads;
  ASSERT_EQ(records.size(), static_cast<size_t>(2 * 4 * 3 + 3 + 2 * 6 * pieces));

  std::map<std::string, const float*> weights;
  for (Param& p : model.params()) weights[p.name] = p.value;
  std::map<std::tuple<std::string, std::string, std::string>, const Operand*> seen;
  std::set<std::pair<uint64_t, uint32_t>> sr_streams;
  int checked = 0, kept = 0;
  for (const Record& r : records) {
    SCOPED_TRACE(r.layer + " " + r.gemm + " piece " + std::to_string(r.piece));
    const bool head = r.layer == "head";
    for (const bool is_a : {true, false}) {
      const Operand& o = is_a ? r.a : r.b;
      SCOPED_TRACE(o.slot);
      // The slot's format, as the recipe says for this layer (head: one "head" slot).
      Format want = parse_format(recipe.format_for(r.layer, head ? "head" : o.slot));
      EXPECT_EQ(o.reduction, expected_axis(r.gemm, is_a));
      want.axis = o.reduction;
      want.cast.seed = o.format.cast.seed;
      want.cast.stream = o.format.cast.stream;
      EXPECT_EQ(o.format, want) << o.format.to_string() << " vs " << want.to_string();
      EXPECT_EQ(o.index_base,
                nn::step_index_base(step, r.piece < 0 ? 0 : r.piece * cfg.seq * cfg.seq));
      // Exactly the oracle's quantization of the (transformed) high-precision operand.
      std::vector<float> x = o.raw, y(o.raw.size());
      if (o.transform.active()) {
        EXPECT_EQ(r.gemm, "wgrad");
        EXPECT_EQ(o.transform.n, 16);
        EXPECT_EQ(o.transform.sign_base, step << 32);
        kernels::hadamard(o.transform, o.raw.data(), o.cols, x.data(), o.rows, o.cols, o.reduction);
      }
      fake_quantize(o.format, x.data(), y.data(), o.rows, o.cols, o.index_base);
      ASSERT_EQ(0, std::memcmp(y.data(), o.quantized.data(), y.size() * sizeof(float)));
      if (o.format.cast.round == Round::sr)
        sr_streams.insert({o.format.cast.seed, o.format.cast.stream});
      seen[{r.layer, r.gemm, o.slot}] = &o;
      ++checked;
    }
    // Both operands of a GEMM share its transform, so that it cancels.
    EXPECT_EQ(r.a.transform.stream, r.b.transform.stream);
    EXPECT_EQ(r.a.transform.sign_base, r.b.transform.sign_base);
    // Operands bf16 holds exactly take the bf16 GEMM where the machine has one.
    if (parse_format(recipe.format_for(r.layer, head ? "head" : r.a.slot)).scaled() &&
        r.gemm.rfind("attn", 0) != 0) {
      EXPECT_EQ(r.path, nn::bf16_gemm_enabled() ? nn::GemmPath::bf16 : nn::GemmPath::fp32);
    }
  }
  EXPECT_EQ(checked, static_cast<int>(2 * records.size()));

  // The high-precision operands are the right tensors: weights are the parameters, and the
  // backward GEMMs see the same X and dY as the other GEMM that uses them.
  for (const auto& [key, o] : seen) {
    const auto& [layer, gemm, slot] = key;
    if (gemm.rfind("attn", 0) == 0) continue;
    const std::string w = layer == "head" ? "embed.weight" : layer + ".weight";
    if (slot == "fwd.w" || slot == "dgrad.w") {
      EXPECT_EQ(o->raw_ptr, weights.at(w)) << layer << " " << slot;
    }
    if (slot == "wgrad.x") {
      const Operand* x = seen.at({layer, "fwd", "fwd.x"});
      // Saved activations are quantized in place after the forward pass (act.saved of the
      // layer's block): the weight gradient sees that copy (deterministic formats here), or,
      // where the forward's bf16 copy stands in for it (nn::LinearKeep), X itself with
      // wgrad.x's quantization of the saved copy all the same.
      const std::string block =
          layer == "head" ? "final_norm" : layer.substr(0, layer.find('.', 7));
      const Format saved = parse_format(recipe.format_for(block, "act.saved"));
      std::vector<float> want = x->raw;
      if (!nn::is_identity(saved))
        fake_quantize(saved, want.data(), want.data(), x->rows, x->cols, 0);
      if (o->raw != want) {
        EXPECT_EQ(o->raw, x->raw) << layer;
        std::vector<float> q(want.size());
        fake_quantize(o->format, want.data(), q.data(), o->rows, o->cols, o->index_base);
        EXPECT_EQ(0, std::memcmp(q.data(), o->quantized.data(), q.size() * sizeof(float))) << layer;
        ++kept;
      }
      EXPECT_EQ(o->rows, x->rows);
    }
    if (slot == "wgrad.dy") {
      EXPECT_EQ(o->raw, seen.at({layer, "dgrad", "dgrad.dy"})->raw) << layer;
    }
  }
  // Every stochastically rounded operand draws from its own stream.
  EXPECT_EQ(sr_streams.size(), sr_streams_expected);
  // Kept copies are bf16 copies: without a bf16 GEMM there are none.
  EXPECT_EQ(kept, nn::bf16_gemm_enabled() ? kept_expected : 0);
}

TEST(QuantizedOperands, EveryOperandIsItsSlotQuantization) {
  // Slots with SR: dgrad.dy, wgrad.dy of 9 linear layers (8 + head), and head's other four;
  // attn.dO and attn.dS of two GEMMs each per attention layer.
  check_every_operand(test_recipe(), 2 * 8 + 6 + 2 * 4);
}

// Element-wise deterministic dY slots: the backward GEMMs share one quantized dY (and the
// per-tensor format, one tensor scale); each operand is still its slot's quantization.
TEST(QuantizedOperands, SharedDyIsEachSlotsQuantization) {
  Recipe r = test_recipe();
  r.name = "operand-test-shared-dy";
  r.transforms.clear();
  for (auto& [slot, format] : r.slots) {
    if (slot == "dgrad.dy" || slot == "wgrad.dy") format = "e5m2:sat";
    if (slot == "head") format = "bf16";
  }
  r.overrides.push_back({"layers.1.mlp.w13", "dgrad.dy", "e4m3:tensor:scale=pow2"});
  r.overrides.push_back({"layers.1.mlp.w13", "wgrad.dy", "e4m3:tensor:scale=pow2"});
  r.overrides.push_back({"layers.0.attn.wo", "wgrad.dy", "e4m3"});  // differs: not shared
  check_every_operand(r, 2 * 4);                                    // attn.dO and attn.dS only
}

// The bf16 recipe's fast paths: operands quantized straight to bf16, one bf16 copy of dS
// for dQ and dK, and inputs that are already bf16 values (saved activations in bf16 or e4m3)
// passed through; one slot with stochastic rounding takes the pass-through too. The forward's
// copies of X serve the weight gradients of layer 0's four linears and the head (layer 1
// saves in e4m3, and its w2 rounds stochastically). Each operand is still its slot's
// quantization.
TEST(QuantizedOperands, Bf16FastPathsGiveEachSlotsQuantization) {
  Recipe r = load_recipe("bf16");
  r.overrides.push_back({"layers.1", "act.saved", "e4m3"});
  r.overrides.push_back({"layers.1.mlp.w2", "wgrad.x", "bf16:round=sr"});
  check_every_operand(r, 1, 5);
}

}  // namespace
}  // namespace lowp
