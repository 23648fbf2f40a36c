#!/usr/bin/env python3
"""Times fake quantization (fp32 -> fp32) in PyTorch, emulated the way microxcaling does it
(log2 for the private exponent, scale, round, rescale, clamp; MX shared exponent from the
block amax), then runs `lowp bench quantize` on the same formats, size and thread count in the
same run and prints lowp's speed-up. Not part of CI.

  /usr/bin/python3 scripts/bench_torch_quantize.py --lowp build/cli/lowp [--n 67108864] [--threads 1]

Before timing, it checks on a 1M-element sample that the PyTorch emulation and lowp compute the
same values (via `lowp quantize --in/--out` and `lowp dequantize`), so that the two sides are
timed doing the same work; the fraction of identical bits is printed per format.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import torch

# name -> (exponent bits, mantissa bits, max finite, lowp format, block size or 0)
FORMATS = {
    "e4m3": (4, 3, 448.0, "e4m3", 0),
    "e5m2": (5, 2, 57344.0, "e5m2:sat", 0),
    "e2m1": (2, 1, 6.0, "e2m1", 0),
    "bf16": (8, 7, 3.3895313892515355e38, "bf16", 0),
    "mxfp8_e4m3": (4, 3, 448.0, "mxfp8_e4m3", 32),
    "mxfp4": (2, 1, 6.0, "mxfp4", 32),
    "nvfp4": (2, 1, 6.0, "nvfp4", 16),  # torchao profile, two-level
}
EMAX = {(4, 3): 8, (5, 2): 15, (2, 1): 2, (8, 7): 127}


def quant_elem(x, ebits, mbits, max_norm):
    """Round to nearest even onto a minifloat grid with subnormals, saturating."""
    min_exp = 2 - 2 ** (ebits - 1)  # exponent of the smallest normal
    a = x.abs()
    e = torch.floor(torch.log2(a + (a == 0).to(x.dtype))).clamp(min=min_exp)
    step = torch.exp2(e - mbits)  # spacing of the grid at this binade
    q = torch.round(x / step) * step
    return q.clamp(-max_norm, max_norm)


def quant_mx(x, ebits, mbits, max_norm, block):
    """OCP MX with the floor scale rule: 2^(floor(log2(amax)) - emax_elem) per block of 32."""
    b = x.view(-1, block)
    amax = b.abs().amax(dim=1, keepdim=True)
    shared = torch.floor(torch.log2(amax + (amax == 0).to(x.dtype))) - EMAX[(ebits, mbits)]
    scale = torch.exp2(shared.clamp(-127, 127))
    return (quant_elem(b / scale, ebits, mbits, max_norm) * scale).view(-1)


def quant_nvfp4(x, block):
    """NVFP4 as torchao, two-level: fp32 tensor scale g = amax / (6 * 448), ue4m3 block scale
    of clamp(amax_b / 6 / g, 2^-6, 448), elements x * ((1 / g) / s) rounded to e2m1."""
    g = x.abs().amax() / 2688.0
    b = x.view(-1, block)
    amax = b.abs().amax(dim=1, keepdim=True)
    s = quant_elem((amax / 6.0 / g).clamp(2.0 ** -6, 448.0), 4, 3, 448.0)
    return (quant_elem(b * ((1.0 / g) / s), 2, 1, 6.0) * s * g).view(-1)


def torch_fake_quant(name, x):
    ebits, mbits, max_norm, _, block = FORMATS[name]
    if name == "nvfp4":
        return quant_nvfp4(x, block)
    if block:
        return quant_mx(x, ebits, mbits, max_norm, block)
    return quant_elem(x, ebits, mbits, max_norm)


def lowp_fake_quant(lowp, fmt, x):
    with tempfile.TemporaryDirectory() as d:
        src, st, out = (os.path.join(d, f) for f in ("x.npy", "q.safetensors", "y.npy"))
        np.save(src, x)
        subprocess.run([lowp, "quantize", fmt, "--in", src, "--out", st], check=True)
        subprocess.run([lowp, "dequantize", "--in", st, "--out", out], check=True)
        return np.load(out)


def best_time(f, reps):
    f()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lowp", default="build/cli/lowp")
    p.add_argument("--n", type=int, default=1 << 26)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("formats", nargs="*", default=list(FORMATS))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(1)

    sample = torch.randn(1 << 20, generator=gen) * 3.0
    for name in a.formats:
        ref = lowp_fake_quant(a.lowp, FORMATS[name][3], sample.numpy())
        got = torch_fake_quant(name, sample).numpy()
        same = np.mean(ref.view(np.uint32) == got.view(np.uint32))
        print(f"check {name}: torch emulation equals lowp on {same * 100:.4f}% of 1M values")

    x = torch.randn(a.n, generator=gen) * 3.0
    rates = {}
    for name in a.formats:
        t = best_time(lambda: torch_fake_quant(name, x), a.reps)
        rates[name] = a.n / t / 1e9
    lowp_fmts = [FORMATS[n][3] for n in a.formats]
    out = subprocess.run([a.lowp, "bench", "quantize", *lowp_fmts, "--n", str(a.n),
                          "--threads", str(a.threads)], check=True, capture_output=True, text=True)
    lowp_rate = {}
    for line in out.stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] in lowp_fmts:
            lowp_rate[f[0]] = float(f[1])
    print(f"torch {torch.__version__}, {a.threads} thread(s), n = {a.n}")
    print(f"{'format':<12} {'torch Gel/s':>12} {'lowp Gel/s':>12} {'speed-up':>10}")
    for name in a.formats:
        lr = lowp_rate.get(FORMATS[name][3], float("nan"))
        print(f"{name:<12} {rates[name]:>12.4f} {lr:>12.3f} {lr / rates[name]:>9.0f}x")


if __name__ == "__main__":
    main()
