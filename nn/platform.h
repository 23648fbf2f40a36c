// The CPU this process runs on and the fast paths chosen for it (SIMD target, GEMM path).
#pragma once

#include <string>

#include "nn/gemm.h"

namespace lowp::nn {

struct Platform {
  std::string cpu;          // the CPU's model name
  std::string features;     // the instruction-set extensions that select paths, e.g. "avx2 fma"
  std::string max_isa;      // LOWP_MAX_ISA's cap, "" when none
  std::string simd_target;  // the Highway target kernels dispatch to
  GemmCaps gemm;
};
Platform platform();

// The GEMM paths in one line: "bf16 and fp32 (oneDNN ...)" where bf16 GEMMs exist, "fp32 only
// (...)" where every GEMM runs in fp32.
std::string gemm_paths(const GemmCaps& c);

// The GEMM path a piece of work used, from the flops counted on each path (Counters' gemm_flops
// and gemm_bf16_flops over that work): "fp32", "bf16", or "bf16 87% + fp32 13%" of the flops,
// followed by the machine's offer, e.g. "fp32 (no bf16 matmul on this CPU: oneDNN avx2)".
std::string gemm_use(double flops, double bf16_flops, const GemmCaps& c);

// platform() as a few "key: value" lines, for `lowp --version` and `lowp formats --cpu`.
std::string describe(const Platform& p);

}  // namespace lowp::nn
