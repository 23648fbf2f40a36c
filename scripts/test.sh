#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: a Release build, then an ASan+UBSan build.
# LOWP_SKIP_SANITIZE=1 skips the sanitizer pass. In CI the sanitizer pass is skipped (loudly)
# if the Release pass alone took more than LOWP_SANITIZE_DEADLINE seconds (default 2700), so
# that a slow machine cannot push the run past CI's 90 minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=$(date +%s)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$(nproc)")
if [ "${LOWP_SKIP_SANITIZE:-0}" = 1 ]; then
  echo "test.sh: sanitizer pass skipped (LOWP_SKIP_SANITIZE=1)"
  exit 0
fi
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -gt "${LOWP_SANITIZE_DEADLINE:-2700}" ]; then
  echo "test.sh: WARNING: sanitizer pass skipped: the Release pass took ${elapsed} s"
  exit 0
fi
bash "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOWP_SANITIZE=ON -DLOWP_BUILD_BENCH=OFF
(cd "$root/build-asan" && ctest --output-on-failure -j "$(nproc)")
