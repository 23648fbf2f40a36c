// Cumulative time and work of GEMMs and operand quantization, for benchmarks and telemetry.
#pragma once

#include <cstdint>

namespace lowp::nn {

// Sums over all threads since the last reset (thread-seconds: with several threads the
// seconds can exceed wall time).
struct Counters {
  double gemm_seconds = 0, gemm_flops = 0;             // every nn::gemm call
  double gemm_bf16_flops = 0;                          // the part that ran on the bf16 path
  double quantize_seconds = 0, quantize_elements = 0;  // every nn::quantize_operand call
};
Counters counters();
void reset_counters();

// Adds one measured call (used by gemm.cc and quantizer.cc).
void count_gemm(int64_t nanoseconds, double flops, bool bf16);
void count_quantize(int64_t nanoseconds, int64_t elements);

}  // namespace lowp::nn
