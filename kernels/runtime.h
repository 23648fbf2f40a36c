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

}  // namespace lowp::kernels
