// Reads the CPU's name and features and collects the paths the kernels and GEMMs chose.
#include "nn/platform.h"

#include <cmath>
#include <fstream>

#include "kernels/runtime.h"

namespace lowp::nn {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

std::string cpu_features() {
  std::string s;
  const auto add = [&](bool has, const char* name) {
    if (has) s += std::string(s.empty() ? "" : " ") + name;
  };
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(__builtin_cpu_supports("f16c"), "f16c");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
  add(__builtin_cpu_supports("avx512bw"), "avx512bw");
  add(__builtin_cpu_supports("avx512vl"), "avx512vl");
  add(__builtin_cpu_supports("avx512vnni"), "avx512_vnni");
  add(__builtin_cpu_supports("avx512bf16"), "avx512_bf16");
  add(__builtin_cpu_supports("avxvnni"), "avx_vnni");
#endif
  return s.empty() ? "none of note" : s;
}

}  // namespace

Platform platform() {
  Platform p;
  p.cpu = cpu_model();
  p.features = cpu_features();
  p.max_isa = kernels::max_isa();
  p.simd_target = kernels::active_simd_target();
  p.gemm = gemm_caps();
  return p;
}

std::string gemm_paths(const GemmCaps& c) {
  return c.bf16 ? "bf16 and fp32 (oneDNN " + c.isa + "; bf16 matmul " + c.bf16_impl + ")"
                : "fp32 only (oneDNN " + c.isa + "; no bf16 matmul: " + c.bf16_impl +
                      "): bf16-exact operands multiply in fp32";
}

std::string gemm_use(double flops, double bf16_flops, const GemmCaps& c) {
  const std::string machine = c.bf16 ? " (oneDNN " + c.isa + " has a bf16 matmul)"
                                     : " (no bf16 matmul on this CPU: oneDNN " + c.isa + ")";
  if (flops <= 0) return "none" + machine;
  const long bf16 = std::lround(100.0 * bf16_flops / flops);
  if (bf16_flops <= 0) return "fp32" + machine;
  if (bf16_flops >= flops) return "bf16" + machine;
  return "bf16 " + std::to_string(bf16) + "% + fp32 " + std::to_string(100 - bf16) + "%" + machine;
}

std::string describe(const Platform& p) {
  return "cpu: " + p.cpu + "\ncpu features: " + p.features +
         "\nisa cap (LOWP_MAX_ISA): " + (p.max_isa.empty() ? "none" : p.max_isa) +
         "\nsimd target: " + p.simd_target + "\ngemm: " + gemm_paths(p.gemm) + "\n";
}

}  // namespace lowp::nn
