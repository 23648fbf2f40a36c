#!/usr/bin/env python3
"""Trains lowp's reference shape in PyTorch and prints tokens/s, for comparison with
bench/model_step_bench (`lm` size `base`: 4 layers, d 256, 4 heads, SwiGLU 704, byte vocabulary,
sequence 256, batch 16, AdamW, fp32).

  /usr/bin/python3 scripts/bench_torch_train.py [--threads 1] [--steps 10] [--arch llama|gpt]
      [--lowp-bench build/bench/model_step_bench]

PyTorch's fastest setup here is OpenMP OpenBLAS (Debian package libopenblas0-openmp): the script
re-executes itself with LD_LIBRARY_PATH pointing there when the library is present.
--arch gpt trains the GPT of docs/machine.md (LayerNorm, learned positions, GELU MLP 4x).
With --lowp-bench it then runs lowp's benchmark for the same thread count in the same run and
prints lowp's tokens/s per recipe and the ratios the performance goals are stated in.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    def __init__(self, d, heads, ffn, arch):
        super().__init__()
        self.heads, self.arch = heads, arch
        norm = torch.nn.LayerNorm if arch == "gpt" else RMSNorm
        self.n1, self.n2 = norm(d), norm(d)
        self.qkv = torch.nn.Linear(d, 3 * d, bias=arch == "gpt")
        self.wo = torch.nn.Linear(d, d, bias=arch == "gpt")
        if arch == "gpt":
            self.up = torch.nn.Linear(d, 4 * d)
            self.down = torch.nn.Linear(4 * d, d)
        else:
            self.up = torch.nn.Linear(d, 2 * ffn, bias=False)
            self.down = torch.nn.Linear(ffn, d, bias=False)

    def forward(self, x, rope):
        B, T, C = x.shape
        H, D = self.heads, C // self.heads
        q, k, v = self.qkv(self.n1(x)).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, D) for t in (q, k, v))
        if rope is not None:
            q, k = rope(q), rope(k)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(D)
        s = s.masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), float("-inf"))
        y = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.wo(y)
        h = self.up(self.n2(x))
        if self.arch == "gpt":
            h = F.gelu(h)
        else:
            gate, up = h.chunk(2, dim=-1)
            h = F.silu(gate) * up
        return x + self.down(h)


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight, self.eps = torch.nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Model(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.arch = a.arch
        self.embed = torch.nn.Embedding(a.vocab, a.d)
        self.pos = torch.nn.Embedding(a.seq, a.d) if a.arch == "gpt" else None
        self.blocks = torch.nn.ModuleList(Block(a.d, a.heads, a.ffn, a.arch) for _ in range(a.layers))
        self.norm = torch.nn.LayerNorm(a.d) if a.arch == "gpt" else RMSNorm(a.d)
        D = a.d // a.heads
        ang = torch.arange(a.seq)[:, None] * 10000.0 ** (-2.0 * torch.arange(D // 2) / D)[None]
        self.cos, self.sin = ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]

    def rope(self, x):
        T, half = x.shape[1], x.shape[-1] // 2
        a, b = x[..., :half], x[..., half:]
        c, s = self.cos[:, :T], self.sin[:, :T]
        return torch.cat([a * c - b * s, a * s + b * c], dim=-1)

    def forward(self, idx):
        x = self.embed(idx)
        if self.pos is not None:
            x = x + self.pos(torch.arange(idx.shape[1]))
        for blk in self.blocks:
            x = blk(x, None if self.arch == "gpt" else self.rope)
        return self.norm(x) @ self.embed.weight.T  # tied head


OPENMP_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


def lowp_rates(binary, threads):
    """tokens/s and quantization share per recipe from bench/model_step_bench's JSON output."""
    out = subprocess.run([binary, f"--benchmark_filter=BM_LMTrainStep/recipe:[0-9]+/threads:{threads}/",
                          "--benchmark_format=json"], check=True, capture_output=True, text=True)
    rates = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        recipe = b["label"].split(",")[0]
        step = b["real_time"] / 1e3  # milliseconds per step
        rates[recipe] = (b["tokens/s"], b["quant_s"] / step, b["gemm_s"] / step)
    return rates


def main():
    if os.path.isdir(OPENMP_BLAS) and OPENMP_BLAS not in os.environ.get("LD_LIBRARY_PATH", ""):
        os.environ["LD_LIBRARY_PATH"] = OPENMP_BLAS + ":" + os.environ.get("LD_LIBRARY_PATH", "")
        os.execv(sys.executable, [sys.executable] + sys.argv)
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--arch", choices=["llama", "gpt"], default="llama")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=704)
    p.add_argument("--vocab", type=int, default=256)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lowp-bench", help="path to bench/model_step_bench (runs lowp in the same run)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(a)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    data = torch.randint(0, a.vocab, (a.batch, a.seq + 1))
    n_params = sum(t.numel() for t in model.parameters())

    def step():
        logits = model(data[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), data[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(2):
        step()
    best = best_cpu = float("inf")
    for _ in range(a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    tokens = a.batch * a.seq
    # CPU seconds (all threads) are steadier than wall time on a shared machine.
    print(f"pytorch {torch.__version__} {a.arch}: {n_params} params, {a.threads} thread(s), "
          f"best step {best:.3f} s wall ({tokens / best:.0f} tokens/s), "
          f"{best_cpu:.3f} s CPU ({tokens / best_cpu:.0f} tokens per CPU second)")
    if a.lowp_bench:
        torch_rate = tokens / best
        rates = lowp_rates(a.lowp_bench, a.threads)
        fp32 = rates["fp32"][0]
        print(f"{'recipe':<8} {'tokens/s':>9} {'x pytorch':>10} {'x lowp fp32':>12} "
              f"{'quant share':>12} {'gemm share':>11}")
        for name, (r, q, g) in rates.items():
            print(f"{name:<8} {r:>9.0f} {r / torch_rate:>10.2f} {r / fp32:>12.2f} "
                  f"{q * 100:>11.1f}% {g * 100:>10.1f}%")


if __name__ == "__main__":
    main()
