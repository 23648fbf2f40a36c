#!/usr/bin/env bash
# Exhaustive kernel check: `lowp verify --exhaustive` (all 2^32 fp32 inputs) for every named
# element format and deterministic rounding mode (161 sweeps, each a long run).
# CI runs the sampled sweeps of the test suite instead.
#   bash scripts/verify_all.sh [path/to/lowp] [FORMAT...] > verify.log
set -uo pipefail
lowp="${1:-build/cli/lowp}"
formats=(e4m3 e4m3_ieee e5m2 e4m3fnuz e5m2fnuz e4m3b11fnuz e3m4 e3m2 e2m3 e2m1 e8m0 ue4m3
         bf16 fp16 tf32 fp32 int2 int3 int4 int5 int6 int7 int8)
[ $# -gt 1 ] && formats=("${@:2}")
modes=(rne rna rnz rtz up down odd)
failed=0; runs=0
for f in "${formats[@]}"; do
  for spec in "${modes[@]/#/$f --round }"; do
    runs=$((runs + 1))
    # shellcheck disable=SC2086  # spec is "FORMAT --round MODE"
    if ! out="$("$lowp" verify $spec --exhaustive 2>&1)"; then
      failed=$((failed + 1)); echo "$out"; echo "FAILED: $spec"; continue
    fi
    tail -n 1 <<<"$out"
  done
done
echo "verify_all: $runs sweeps, $failed failed"
[ "$failed" -eq 0 ]
