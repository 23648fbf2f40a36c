#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: a Release build, then an ASan+UBSan build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$(nproc)")
if [ "${LOWP_SKIP_SANITIZE:-0}" != 1 ]; then
  bash "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOWP_SANITIZE=ON -DLOWP_BUILD_BENCH=OFF
  (cd "$root/build-asan" && ctest --output-on-failure -j "$(nproc)")
fi
