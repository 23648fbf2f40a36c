#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: a Release build (run natively, then its nn,
# models and train tests again as on an AVX2-only CPU), an ASan+UBSan build, and a bounded
# run of every fuzz target. LOWP_SKIP_SANITIZE=1 skips the sanitizer and fuzzing passes. In CI
# those are skipped (loudly) if the passes before them took more than LOWP_SANITIZE_DEADLINE
# seconds (default 2700), so that a slow machine cannot push the run past CI's 90 minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=$(date +%s)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$(nproc)")

# The portable paths: an AVX-512 machine runs the training layers' tests again capped to AVX2
# (Highway's targets through LOWP_MAX_ISA, oneDNN through its own variable), so a submission
# that breaks AVX2 machines fails here too. On a CPU without AVX-512 the pass above was that.
if grep -qw avx512f /proc/cpuinfo; then
  echo "test.sh: the nn, models and train tests again as on an AVX2-only CPU"
  (cd "$root/build" && LOWP_MAX_ISA=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 \
    ctest --output-on-failure -j "$(nproc)" -L '^(nn_test|models_test|train_test)$')
else
  echo "test.sh: no AVX-512 on this CPU: the pass above ran the AVX2 paths"
fi

if [ "${LOWP_SKIP_SANITIZE:-0}" = 1 ]; then
  echo "test.sh: sanitizer and fuzzing passes skipped (LOWP_SKIP_SANITIZE=1)"
  exit 0
fi
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -gt "${LOWP_SANITIZE_DEADLINE:-2700}" ]; then
  echo "test.sh: WARNING: sanitizer and fuzzing passes skipped: the Release passes took ${elapsed} s"
  exit 0
fi
bash "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOWP_SANITIZE=ON -DLOWP_BUILD_BENCH=OFF
(cd "$root/build-asan" && ctest --output-on-failure -j "$(nproc)")
if [ -f "$root/scripts/fuzz.sh" ]; then
  bash "$root/scripts/fuzz.sh" "$root/build-fuzz" "${LOWP_FUZZ_SECONDS:-40}"
fi
