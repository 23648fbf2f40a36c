#!/usr/bin/env bash
# Regenerates the seed corpora of the fuzz targets: small valid .npy files (written by the
# Python standard library) and their safetensors quantizations by `lowp quantize`.
# Usage: bash fuzz/make_corpus.sh [path/to/lowp]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lowp="${1:-$here/../build/cli/lowp}"
npy="$here/corpus/npy" st="$here/corpus/safetensors"
mkdir -p "$npy" "$st"
/usr/bin/python3 - "$npy" <<'PY'
import math, struct, sys
out = sys.argv[1]

def npy(name, shape, major=1):
    n = math.prod(shape)
    vals = [math.sin(0.7 * i) * 2.0 ** (i % 9 - 4) for i in range(n)]
    if n > 3:
        vals[1], vals[2], vals[3] = float("inf"), float("nan"), -0.0
    tup = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % tup
    pre = 10 if major == 1 else 12
    h += " " * ((64 - (pre + len(h) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H" if major == 1 else "<I", len(h))
    with open(f"{out}/{name}.npy", "wb") as f:
        f.write(b"\x93NUMPY" + bytes([major, 0]) + size + h.encode() + struct.pack(f"<{n}f", *vals))

npy("scalar", ())
npy("empty", (0,))
npy("empty2d", (0, 32))
npy("vec7", (7,))
npy("mat2x32", (2, 32))
npy("mat3x33", (3, 33))
npy("rank3", (2, 3, 17))
npy("v2_mat2x16", (2, 16), major=2)
npy("v3_vec5", (5,), major=3)
PY
for fmt in e4m3 e5m2 e2m1 int4 int2 bf16 fp32 mxfp4 mxfp6_e3m2 mxfp8_e4m3 mxint8 nvfp4 \
           nvfp4:profile=te:tile=16x16 int4:channel e4m3:tensor e3m2:block=64:scale=fp32; do
  for x in mat2x32 vec7 scalar empty2d; do
    name="$(echo "$fmt" | tr ':=' '__')_$x"
    "$lowp" quantize "$fmt" --in "$npy/$x.npy" --out "$st/$name.safetensors"
  done
done
"$lowp" quantize mxfp6_e2m3 --fp6-unpacked --in "$npy/mat3x33.npy" --out "$st/mxfp6_unpacked.safetensors"
