// Run-time controls of the kernels: thread count, SIMD target choice, the force-scalar switch.
#pragma once

#include <string>
#include <vector>

namespace lowp::kernels {

// Threads of the library's one pool (kernels/parallel.h), which kernels, nn and optim share
// (default: LOWP_NUM_THREADS if set, else all hardware threads). Results are bit-identical for
// any value. Takes effect at the next parallel_for; callable from anywhere, tasks included.
void set_num_threads(int n);
int num_threads();

// Force-scalar switch for A/B debugging: every public operation calls the scalar oracle of
// formats/ instead of SIMD code. Default: the environment variable LOWP_FORCE_SCALAR=1.
void set_force_scalar(bool on);
bool force_scalar();

// SIMD targets compiled into the library and supported by this CPU, best first
// (e.g. "AVX3", "AVX2", "SSE4", "EMU128"; EMU128 is Highway's portable scalar fallback).
std::vector<std::string> simd_targets();
// The target dispatch currently selects.
std::string active_simd_target();
// Restricts dispatch to one target from simd_targets() (tests, `lowp verify --target`);
// "" restores automatic selection. Throws lowp::Error for an unknown or unsupported name.
void use_simd_target(const std::string& name);

// The instruction-set cap from the environment variable LOWP_MAX_ISA (`AVX3_DL`, `AVX3`,
// `AVX2`, `SSE4`, `EMU128`), "" when unset: the library runs as on a CPU without the better
// ISAs - SIMD targets above the cap are never dispatched to, and nn caps its GEMM library the
// same way. Lets an AVX-512 machine test the paths an AVX2 machine takes. An unknown value
// throws lowp::Error naming it and the valid ones.
std::string max_isa();

}  // namespace lowp::kernels
