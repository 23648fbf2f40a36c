// Relaxed atomic accumulators: cheap enough to stay on in every build.
#include "nn/counters.h"

#include <atomic>

namespace lowp::nn {
namespace {

std::atomic<int64_t> g_gemm_ns{0}, g_quant_ns{0}, g_quant_elems{0};
std::atomic<double> g_gemm_flops{0}, g_gemm_bf16_flops{0};

void add(std::atomic<double>& a, double x) {
  double v = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(v, v + x, std::memory_order_relaxed)) {
  }
}

}  // namespace

void count_gemm(int64_t ns, double flops, bool bf16) {
  g_gemm_ns.fetch_add(ns, std::memory_order_relaxed);
  add(g_gemm_flops, flops);
  if (bf16) add(g_gemm_bf16_flops, flops);
}

void count_quantize(int64_t ns, int64_t elements) {
  g_quant_ns.fetch_add(ns, std::memory_order_relaxed);
  g_quant_elems.fetch_add(elements, std::memory_order_relaxed);
}

Counters counters() {
  Counters c;
  c.gemm_seconds = g_gemm_ns.load() * 1e-9;
  c.gemm_flops = g_gemm_flops.load();
  c.gemm_bf16_flops = g_gemm_bf16_flops.load();
  c.quantize_seconds = g_quant_ns.load() * 1e-9;
  c.quantize_elements = static_cast<double>(g_quant_elems.load());
  return c;
}

void reset_counters() {
  g_gemm_ns = 0;
  g_gemm_flops = 0;
  g_gemm_bf16_flops = 0;
  g_quant_ns = 0;
  g_quant_elems = 0;
}

}  // namespace lowp::nn
