// Relaxed atomic accumulators: cheap enough to stay on in every build.
#include "nn/counters.h"

#include <atomic>

namespace lowp::nn {
namespace {

std::atomic<int64_t> g_gemm_ns{0}, g_quant_ns{0}, g_quant_elems{0};
std::atomic<double> g_gemm_flops{0};

}  // namespace

void count_gemm(int64_t ns, double flops) {
  g_gemm_ns.fetch_add(ns, std::memory_order_relaxed);
  double f = g_gemm_flops.load(std::memory_order_relaxed);
  while (!g_gemm_flops.compare_exchange_weak(f, f + flops, std::memory_order_relaxed)) {
  }
}

void count_quantize(int64_t ns, int64_t elements) {
  g_quant_ns.fetch_add(ns, std::memory_order_relaxed);
  g_quant_elems.fetch_add(elements, std::memory_order_relaxed);
}

Counters counters() {
  Counters c;
  c.gemm_seconds = g_gemm_ns.load() * 1e-9;
  c.gemm_flops = g_gemm_flops.load();
  c.quantize_seconds = g_quant_ns.load() * 1e-9;
  c.quantize_elements = static_cast<double>(g_quant_elems.load());
  return c;
}

void reset_counters() {
  g_gemm_ns = 0;
  g_gemm_flops = 0;
  g_quant_ns = 0;
  g_quant_elems = 0;
}

}  // namespace lowp::nn
