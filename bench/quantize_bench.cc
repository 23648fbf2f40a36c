// Google Benchmark: fake quantization, packed quantization, amax and Hadamard throughput
// next to a plain copy of the same bytes (run with --benchmark_filter to pick some).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "formats/format.h"
#include "kernels/bench.h"
#include "kernels/hadamard.h"
#include "kernels/quantize.h"
#include "kernels/runtime.h"

namespace {

constexpr int64_t kN = int64_t{64} << 20;  // 64M fp32 values: DRAM-resident

const std::vector<float>& input() {
  static const std::vector<float> x = lowp::kernels::gaussian(kN, 1);
  return x;
}

void set_rates(benchmark::State& state, double bytes_per_item) {
  state.SetItemsProcessed(state.iterations() * kN);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kN * bytes_per_item));
}

void BM_Copy(benchmark::State& state) {
  lowp::kernels::set_num_threads(static_cast<int>(state.range(0)));
  std::vector<float> y(kN);
  for (auto _ : state) {
    lowp::kernels::copy(input().data(), y.data(), kN);
    benchmark::DoNotOptimize(y.data());
  }
  set_rates(state, 8);
}

void BM_FakeQuantize(benchmark::State& state, const std::string& name) {
  const lowp::Format f = lowp::parse_format(name);
  lowp::kernels::set_num_threads(static_cast<int>(state.range(0)));
  std::vector<float> y(kN);
  for (auto _ : state) {
    lowp::kernels::fake_quantize(f, input().data(), y.data(), 1, kN);
    benchmark::DoNotOptimize(y.data());
  }
  set_rates(state, 8);
}

void BM_Codes(benchmark::State& state, const std::string& name) {
  const lowp::Format f = lowp::parse_format(name);
  lowp::kernels::set_num_threads(static_cast<int>(state.range(0)));
  std::vector<uint32_t> codes(kN), scales(lowp::scale_grid(f, 1, kN).count() + 1);
  uint32_t ts = 0;
  for (auto _ : state) {
    lowp::kernels::quantize_tensor(f, input().data(), 1, kN,
                                   {codes.data(), scales.data(), &ts, nullptr, nullptr});
    benchmark::DoNotOptimize(codes.data());
  }
  set_rates(state, 8);
}

void BM_Amax(benchmark::State& state) {
  lowp::kernels::set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(lowp::kernels::amax(input().data(), kN));
  set_rates(state, 4);
}

void BM_Hadamard(benchmark::State& state) {
  lowp::kernels::set_num_threads(1);
  lowp::kernels::HadamardSpec h;
  h.n = static_cast<int>(state.range(0));
  h.random_signs = true;
  std::vector<float> y(kN);
  for (auto _ : state) {
    lowp::kernels::hadamard(h, input().data(), 4096, y.data(), kN / 4096, 4096);
    benchmark::DoNotOptimize(y.data());
  }
  set_rates(state, 8);
}

}  // namespace

int main(int argc, char** argv) {
  input();  // generate the data before any timing
  benchmark::RegisterBenchmark("copy", BM_Copy)
      ->Arg(1)
      ->Arg(2)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  for (const char* f :
       {"e4m3", "e5m2", "e2m1", "bf16", "fp16", "int8", "e4m3:round=sr", "mxfp8_e4m3", "mxfp8_e5m2",
        "mxfp6_e3m2", "mxfp4", "mxint8", "nvfp4", "nvfp4:profile=te", "mxfp4:round=sr"})
    benchmark::RegisterBenchmark((std::string("fake_quantize/") + f).c_str(), BM_FakeQuantize, f)
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  for (const char* f : {"e4m3", "mxfp4", "nvfp4"})
    benchmark::RegisterBenchmark((std::string("quantize_codes/") + f).c_str(), BM_Codes, f)
        ->Arg(1)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("amax", BM_Amax)
      ->Arg(1)
      ->Arg(2)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("hadamard", BM_Hadamard)
      ->Arg(16)
      ->Arg(32)
      ->Arg(64)
      ->Arg(128)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
