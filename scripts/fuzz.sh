#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan+UBSan) and runs each for a while.
#
#   bash scripts/fuzz.sh BUILD_DIR SECONDS
#
# Configures BUILD_DIR (CC=clang CXX=clang++, RelWithDebInfo, LOWP_SANITIZE=ON, LOWP_FUZZ=ON, no
# tests or benchmarks) and builds only the `fuzzers` target. Each target then runs for SECONDS
# seconds on a copy of its seed corpus (fuzz/corpus/<target>/) in BUILD_DIR/fuzz-runs/<target>/,
# so the repository is never modified: the grown corpus, the log and any crashing input stay
# there. One summary line per target; the exit status is non-zero when any target found
# something (a crash, a sanitizer report, a broken round trip, a timeout or an out-of-memory).
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input, default 10),
# FUZZ_JOBS (build parallelism, default nproc), FUZZ_TARGETS (names to run; default all built).
set -euo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ || $2 -lt 1 ]]; then
  echo "usage: bash scripts/fuzz.sh BUILD_DIR SECONDS   (SECONDS: run time of each target, >= 1)" >&2
  exit 2
fi
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
rss_mb=${FUZZ_RSS_MB:-2048}
timeout_s=${FUZZ_TIMEOUT:-10}
jobs=${FUZZ_JOBS:-$(nproc)}

launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOWP_SANITIZE=ON -DLOWP_FUZZ=ON -DLOWP_BUILD_TESTS=OFF -DLOWP_BUILD_BENCH=OFF \
  "${launcher[@]}" > "$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2
  echo "fuzz.sh: configuring $build failed (log above)" >&2
  exit 1
}
start=$(date +%s)
cmake --build "$build" -j"$jobs" --target fuzzers
echo "fuzz.sh: built the fuzzers in $(($(date +%s) - start)) s"

build=$(cd "$build" && pwd)
mapfile -t targets < <(find "$build/fuzz" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x -printf '%f\n' | sort)
if [[ -n ${FUZZ_TARGETS:-} ]]; then read -r -a targets <<< "$FUZZ_TARGETS"; fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz targets were built in $build/fuzz" >&2
  exit 1
fi

findings=0
summary=()
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t
  [[ -x $bin ]] || { echo "fuzz.sh: no fuzz target $t in $build/fuzz" >&2; exit 1; }
  run=$build/fuzz-runs/$t
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  for seeds in "$root/fuzz/corpus/$t" "$root/fuzz/corpus/${t%_fuzz}"; do
    if [[ -d $seeds ]]; then cp -r "$seeds/." "$run/corpus/"; fi
  done
  dict=()
  if [[ -f $root/fuzz/dict/$t.dict ]]; then dict=(-dict="$root/fuzz/dict/$t.dict"); fi
  echo "fuzz.sh: running $t for $seconds s (log: $run/log)"
  status=0
  # The scratch dir is the working directory: a recipe's relative `base` file resolves there.
  (cd "$run" && "$bin" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" \
    -timeout="$timeout_s" -print_final_stats=1 -artifact_prefix="$run/artifacts/" \
    "${dict[@]}" corpus > log 2>&1) || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$run/log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$run/log" | tail -1 | awk '{print $2}')
  corp=$(find "$run/corpus" -type f | wc -l)
  crash=$(find "$run/artifacts" -type f | head -1)
  if [[ $status -eq 0 && -z $crash ]]; then
    result=ok
  else
    findings=$((findings + 1))
    result="FINDING (exit $status${crash:+, input $crash}; see $run/log)"
  fi
  summary+=("$(printf '%-18s runs %-10s cov %-6s ft %-7s corpus %-6s %s' "$t" "${runs:-?}" \
    "${cov:-?}" "${ft:-?}" "$corp" "$result")")
done

echo "fuzz.sh: $seconds s per target"
printf '%s\n' "${summary[@]}"
if [[ $findings -gt 0 ]]; then
  echo "fuzz.sh: $findings target(s) found something" >&2
  exit 1
fi
