// Every published recipe of recipes.md, written as a recipe file (tests/recipe/published), parses
// and means what the paper says.
#include <gtest/gtest.h>

#include <filesystem>

#include "formats/format.h"
#include "recipe/load.h"
#include "recipe/options.h"
#include "recipe/slots.h"

namespace lowp {
namespace {

const std::string kDir = std::string(LOWP_SOURCE_DIR) + "/tests/recipe/published/";

Recipe published(const std::string& file) {
  return load_recipe(kDir + file);
}
Format fmt(const Recipe& r, const char* slot, const char* layer = "layers.1.mlp.w1") {
  return parse_format(r.format_for(layer, slot));
}

TEST(Published, EveryFileParses) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    SCOPED_TRACE(e.path().string());
    const Recipe r = load_recipe(e.path().string());
    EXPECT_EQ(r.name, e.path().stem().string());
    ++n;
  }
  EXPECT_EQ(n, 12);
}

TEST(Published, EverySlotIsExpressible) {
  const Recipe r = published("every_slot.toml");
  EXPECT_EQ(r.slots.size(), all_slots().size());
  for (const auto& s : all_slots()) EXPECT_NE(r.format_for("l", s), "fp32") << s;
  EXPECT_EQ(r.options.at("loss_format"), "fp32");
  EXPECT_EQ(r.options.at("allreduce_format"), "bf16");
  EXPECT_EQ(fmt(r, "embed").granularity, Granularity::channel);
  EXPECT_EQ(fmt(r, "master").cast.round, Round::sr);
}

TEST(Published, Fp8DelayedScaling) {
  const Recipe r = published("fp8_delayed.toml");
  EXPECT_EQ(fmt(r, "fwd.x").granularity, Granularity::tensor);
  EXPECT_EQ(fmt(r, "fwd.x").elem.ebits, 4);
  EXPECT_EQ(fmt(r, "wgrad.dy").elem.ebits, 5);
  EXPECT_TRUE(fmt(r, "dgrad.dy").cast.saturate);
  EXPECT_EQ(r.options.at("scaling"), "delayed");
  EXPECT_EQ(r.options.at("amax_history"), "1024");
  EXPECT_EQ(r.options.at("scale_margin"), "0");
  EXPECT_EQ(r.format_for("l", "attn.q"), "fp32");
  EXPECT_EQ(published("fp8_current.toml").options.at("scaling"), "current");
}

TEST(Published, Fp8BlockTilesWeights) {
  const Recipe r = published("fp8_block.toml");
  EXPECT_EQ(fmt(r, "fwd.w").tile_rows, 128);
  EXPECT_EQ(fmt(r, "fwd.w").block, 128);
  EXPECT_EQ(fmt(r, "fwd.x").tile_rows, 0);
  EXPECT_EQ(fmt(r, "fwd.x").block, 128);
  EXPECT_EQ(fmt(r, "wgrad.dy").scale, ScaleType::pow2);
  EXPECT_EQ(fmt(r, "wgrad.dy").rule, ScaleRule::floor);
}

TEST(Published, MxVariants) {
  const Recipe e5 = published("mxfp8_e5m2.toml");
  EXPECT_EQ(fmt(e5, "fwd.x").rule, ScaleRule::rceil);  // inherited from the mxfp8 preset
  EXPECT_EQ(fmt(e5, "dgrad.dy").elem.ebits, 5);
  EXPECT_EQ(fmt(e5, "dgrad.dy").rule, ScaleRule::floor);
  const Recipe mx = published("mx_paper.toml");
  EXPECT_EQ(fmt(mx, "wgrad.x").elem.mbits, 2);
  EXPECT_EQ(mx.options.at("vector_format"), "bf16");
}

TEST(Published, NvidiaNvfp4) {
  const Recipe r = resolve_layer_indices(published("nvfp4_full.toml"), 4);
  EXPECT_EQ(fmt(r, "fwd.w").tile_rows, 16);
  EXPECT_EQ(fmt(r, "fwd.x").tile_rows, 0);
  EXPECT_EQ(fmt(r, "wgrad.dy").cast.round, Round::sr);
  EXPECT_EQ(fmt(r, "fwd.x").cast.round, Round::rne);
  const Transform& t = r.transforms.at("wgrad");
  EXPECT_EQ(t.hadamard, 16);
  EXPECT_TRUE(t.random_signs);
  EXPECT_FALSE(t.new_signs_each_step);
  EXPECT_EQ(r.transforms.count("fwd"), 0u);
  // First and last of 4 blocks in bf16.
  EXPECT_EQ(r.format_for("layers.0.attn.wq", "fwd.x"), "bf16");
  EXPECT_EQ(r.format_for("layers.3.mlp.w2", "wgrad.dy"), "bf16");
  EXPECT_TRUE(parse_format(r.format_for("layers.2.mlp.w2", "wgrad.dy")).is_nvfp4());
}

TEST(Published, Quartet) {
  const Recipe r = published("quartet.toml");
  EXPECT_EQ(r.transforms.at("fwd").hadamard, 32);
  EXPECT_FALSE(r.transforms.at("fwd").random_signs);
  for (const char* g : {"dgrad", "wgrad"}) {
    EXPECT_EQ(r.transforms.at(g).hadamard, 32) << g;
    EXPECT_TRUE(r.transforms.at(g).new_signs_each_step) << g;
  }
  EXPECT_EQ(fmt(r, "fwd.x").cast.round, Round::rne);
  EXPECT_EQ(fmt(r, "wgrad.x").cast.round, Round::sr);
  const CustomScaleRule fwd = parse_scale_rule(r.options.at("scale_rule.fwd.x"));
  EXPECT_EQ(fwd.kind, "rms_pow2");
  EXPECT_DOUBLE_EQ(fwd.c, 0.48708);
  const CustomScaleRule bwd = parse_scale_rule(r.options.at("scale_rule.dgrad.dy"));
  EXPECT_EQ(bwd.kind, "amax_pow2");
  EXPECT_EQ(bwd.shift, -2);
  EXPECT_DOUBLE_EQ(bwd.div, 0.75);
  EXPECT_EQ(r.options.at("double_quant"), "true");
  EXPECT_EQ(r.options.at("clip_mask"), "true");
  EXPECT_EQ(r.format_for("l", "embed"), "fp32");
}

TEST(Published, QuestInt4FromJson) {
  const Recipe r = published("quest_int4.json");
  EXPECT_EQ(fmt(r, "fwd.w").granularity, Granularity::channel);
  EXPECT_EQ(fmt(r, "fwd.w").elem.bits, 4);
  EXPECT_EQ(r.format_for("l", "dgrad.dy"), "bf16");
  EXPECT_EQ(r.transforms.at("fwd").hadamard, 128);
  EXPECT_EQ(parse_scale_rule(r.options.at("scale_rule.fwd.x")).kind, "rms");
}

TEST(Published, OptimizerRecipes) {
  const Recipe sgd = published("lp_sgd.toml");
  EXPECT_EQ(sgd.options.at("optimizer"), "sgd");
  EXPECT_EQ(fmt(sgd, "master").cast.round, Round::sr);
  const Recipe lm = published("fp8_lm.toml");
  EXPECT_EQ(fmt(lm, "adam.m").granularity, Granularity::tensor);
  EXPECT_EQ(lm.format_for("l", "adam.v"), "fp16");
  EXPECT_EQ(fmt(lm, "master").elem.mbits, 10);
  EXPECT_EQ(fmt(lm, "fwd.x").rule, ScaleRule::rceil);  // GEMMs from the mxfp8 base
}

TEST(Published, SuMitigations) {
  const Recipe r = published("su_mitigations.toml");
  EXPECT_EQ(r.format_for("l", "fwd.x"), "bf16");
  EXPECT_EQ(fmt(r, "fwd.w").elem.ebits, 4);
  EXPECT_EQ(r.options.at("exponent_bump"), "true");
  EXPECT_EQ(r.options.at("ln_high_precision"), "true");
}

}  // namespace
}  // namespace lowp
