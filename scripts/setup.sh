#!/usr/bin/env bash
# Installs every Debian package lowp needs (idempotent) and prepares the bundled corpus.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git clang-format
  clang libclang-rt-dev  # scripts/fuzz.sh: libFuzzer and the sanitizer runtimes for clang
  libgtest-dev libgmock-dev libbenchmark-dev
  libhwy-dev libopenblas-dev libdnnl-dev
  ocl-icd-opencl-dev opencl-headers  # dnnl-config.cmake calls find_package(OpenCL)
  libnlopt-cxx-dev libnlopt-dev
  libsqlite3-dev libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev zlib1g-dev
  bible-kjv bible-kjv-text
  # scripts/torch_reference.py (regenerates tests/data/lm_torch_*.bin) and
  # scripts/bench_torch_train.py; the tests themselves read the committed output.
  python3-torch python3-numpy libopenblas0-openmp
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Bundled default corpus: the King James Bible as plain text (see machine.md).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/data"
if [ ! -s "$root/data/kjv.txt" ] && command -v bible >/dev/null 2>&1; then
  bible "Gen1:1-Rev22:21" > "$root/data/kjv.txt.tmp" && mv "$root/data/kjv.txt.tmp" "$root/data/kjv.txt"
fi
echo "setup: ok"
