// Test helpers for the kernels: mixed inputs and a loop over every compiled SIMD target.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/bench.h"
#include "kernels/runtime.h"

namespace lowp::test {

inline std::vector<float> mixed_inputs(int64_t n, uint64_t seed, int center = 0) {
  return kernels::mixed_inputs(n, seed, center);
}

// Runs fn once per compiled-and-supported SIMD target (dispatch restricted to it), then
// restores automatic selection.
template <class Fn>
void for_each_target(Fn fn) {
  for (const std::string& t : kernels::simd_targets()) {
    kernels::use_simd_target(t);
    fn(t);
  }
  kernels::use_simd_target("");
}

}  // namespace lowp::test
