// Training-step speed of the `lm` reference shape (size `base`, batch 16 x 256 tokens) per
// recipe and thread count: forward, backward and an AdamW update, as
// scripts/bench_torch_train.py measures PyTorch. Reports tokens/s and the share of the step
// spent in GEMMs and in operand quantization.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/runtime.h"
#include "models/lm.h"
#include "models/synthetic.h"
#include "nn/counters.h"
#include "recipe/load.h"

namespace lowp {
namespace {

const char* const kRecipes[] = {"fp32", "bf16", "mxfp8", "mxfp6", "mxfp4", "nvfp4"};  // the presets

// torch.optim.AdamW's update (lr 1e-3, betas 0.9 / 0.999, weight decay 0.1), fused per element.
void adamw(std::vector<Param>& params, std::vector<std::vector<float>>& m,
           std::vector<std::vector<float>>& v, int t) {
  const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.1f;
  const float bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
  kernels::parallel_for(static_cast<int64_t>(params.size()), [&](int64_t k) {
    Param& p = params[k];
    float *mk = m[k].data(), *vk = v[k].data();
    for (int64_t i = 0; i < p.size; ++i) {
      const float g = p.grad[i];
      mk[i] = b1 * mk[i] + (1 - b1) * g;
      vk[i] = b2 * vk[i] + (1 - b2) * g * g;
      p.value[i] = p.value[i] * (1 - lr * wd) - lr / bc1 * mk[i] / (std::sqrt(vk[i] / bc2) + eps);
    }
  });
}

void BM_LMTrainStep(benchmark::State& state) {
  const std::string name = kRecipes[state.range(0)];
  kernels::set_num_threads(static_cast<int>(state.range(1)));
  ModelConfig cfg;
  cfg.size = "base";
  models::LM model(cfg, load_recipe(name), 1);  // the presets of recipe/presets/
  models::MarkovTokens data(cfg.vocab, model.config().seq, 16, 2, 0);
  const Batch batch = data.train_batch(0);
  std::vector<std::vector<float>> m, v;
  for (Param& p : model.params()) {
    m.emplace_back(p.size, 0.0f);
    v.emplace_back(p.size, 0.0f);
  }
  int t = 0;
  auto train_step = [&] {
    model.zero_grad();
    const double loss = model.step(batch, true, t);
    adamw(model.params(), m, v, ++t);
    benchmark::DoNotOptimize(loss);
  };
  train_step();  // warm up: buffers, primitives
  nn::reset_counters();
  for (auto _ : state) train_step();
  const nn::Counters c = nn::counters();
  const double steps = static_cast<double>(state.iterations());
  state.counters["tokens/s"] =
      benchmark::Counter(batch.B * batch.T * steps, benchmark::Counter::kIsRate);
  state.counters["gemm_s"] = c.gemm_seconds / steps;
  state.counters["gemm_GF/s"] = c.gemm_flops / std::max(c.gemm_seconds, 1e-12) / 1e9;
  state.counters["quant_s"] = c.quantize_seconds / steps;
  state.counters["quant_Melem"] = c.quantize_elements / steps / 1e6;
  state.SetLabel(name + ", " + std::to_string(state.range(1)) + " thread(s)");
  kernels::set_num_threads(1);
}

BENCHMARK(BM_LMTrainStep)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5}, {1, 2}})
    ->ArgNames({"recipe", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3.0);

}  // namespace
}  // namespace lowp

BENCHMARK_MAIN();
