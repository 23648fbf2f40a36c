#!/usr/bin/env python3
"""PyTorch twin of lowp's `lm` model: writes weights, inputs, logits, loss, every gradient and
ten AdamW steps of loss for tiny models, for tests/models/lm_torch_test.cc.

Each quantity is computed in float64 (the reference, stored rounded to float32) and in float32;
the largest |float32 - float64| difference of every tensor is stored too. That is the error
model of the C++ test: an fp32 implementation (lowp) should differ from the exact result by
about as much as PyTorch's own fp32 computation does.

Usage: /usr/bin/python3 scripts/torch_reference.py [out_dir]   (default tests/data)
File format: b"LOWPREF1", uint64 header length, a JSON header, then little-endian arrays at the
header's byte offsets (relative to the end of the header).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

CASES = {
    # name: model config, batch shape, seed
    "tied": dict(layers=2, d_model=24, heads=3, ffn=64, vocab=64, B=2, T=16, tied=True, seed=1),
    "untied": dict(layers=1, d_model=16, heads=2, ffn=32, vocab=32, B=2, T=8, tied=False, seed=2),
}
EPS = 1e-5          # RMSNorm epsilon
THETA = 10000.0     # RoPE base
ADAMW = dict(lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1, steps=10)


def param_shapes(c):
    C, F, V = c["d_model"], c["ffn"], c["vocab"]
    shapes = [("embed.weight", (V, C))]
    for l in range(c["layers"]):
        p = f"layers.{l}."
        shapes += [(p + "attn_norm.weight", (C,)), (p + "attn.wqkv.weight", (3 * C, C)),
                   (p + "attn.wo.weight", (C, C)), (p + "mlp_norm.weight", (C,)),
                   (p + "mlp.w13.weight", (2 * F, C)), (p + "mlp.w2.weight", (C, F))]
    shapes.append(("final_norm.weight", (C,)))
    if not c["tied"]:
        shapes.append(("head.weight", (V, C)))
    return shapes


def init_params(c, gen):
    """Weights with O(1) activations (so attention is far from uniform): N(0, 1/fan_in)
    matrices, N(0, 0.3^2) embeddings and head, norm gains 1 + N(0, 0.1^2)."""
    params = {}
    for name, shape in param_shapes(c):
        if len(shape) == 1:
            t = 1.0 + 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        elif name.startswith("embed") or name.startswith("head"):
            t = 0.3 * torch.randn(shape, generator=gen, dtype=torch.float64)
        else:
            t = torch.randn(shape, generator=gen, dtype=torch.float64) / math.sqrt(shape[1])
        params[name] = t.to(torch.float32)  # both precisions start from the same fp32 values
    return params


def rmsnorm(x, g):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + EPS) * g


def rope(x, T, D, dtype):
    # x (B, T, H, D); pairs (i, i + D/2) turn by t * theta^(-2i/D); tables rounded to fp32 as
    # lowp does, then used in the computation's precision.
    i = np.arange(D // 2, dtype=np.float64)
    ang = np.arange(T, dtype=np.float64)[:, None] * THETA ** (-2.0 * i / D)[None, :]
    cos = torch.tensor(np.cos(ang).astype(np.float32), dtype=dtype)[None, :, None, :]
    sin = torch.tensor(np.sin(ang).astype(np.float32), dtype=dtype)[None, :, None, :]
    a, b = x[..., : D // 2], x[..., D // 2:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


def forward(c, p, tokens):
    B, T, C, H, F = c["B"], c["T"], c["d_model"], c["heads"], c["ffn"]
    D = C // H
    inp, tgt = tokens[:, :-1], tokens[:, 1:]
    x = p["embed.weight"][inp]  # (B, T, C)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for l in range(c["layers"]):
        q = f"layers.{l}."
        h = rmsnorm(x, p[q + "attn_norm.weight"])
        qkv = h @ p[q + "attn.wqkv.weight"].T  # (B, T, 3C)
        qq, kk, vv = qkv.split(C, dim=-1)
        qq = rope(qq.view(B, T, H, D), T, D, x.dtype).transpose(1, 2)  # (B, H, T, D)
        kk = rope(kk.view(B, T, H, D), T, D, x.dtype).transpose(1, 2)
        vv = vv.view(B, T, H, D).transpose(1, 2)
        s = (qq @ kk.transpose(-1, -2)) / math.sqrt(D)
        s = s.masked_fill(~mask, float("-inf"))
        y = (torch.softmax(s, dim=-1) @ vv).transpose(1, 2).reshape(B, T, C)
        x = x + y @ p[q + "attn.wo.weight"].T
        h = rmsnorm(x, p[q + "mlp_norm.weight"])
        gate, up = (h @ p[q + "mlp.w13.weight"].T).split(F, dim=-1)
        x = x + (torch.nn.functional.silu(gate) * up) @ p[q + "mlp.w2.weight"].T
    x = rmsnorm(x, p["final_norm.weight"])
    head = p["embed.weight"] if c["tied"] else p["head.weight"]
    logits = (x @ head.T).reshape(B * T, -1)
    loss = torch.nn.functional.cross_entropy(logits, tgt.reshape(-1))
    return logits, loss


def run(c, params, tokens, dtype):
    """Logits, loss and gradients at the initial weights, then the AdamW loss trajectory."""
    p = {k: v.to(dtype).clone().requires_grad_(True) for k, v in params.items()}
    logits, loss = forward(c, p, tokens)
    loss.backward()
    out = {"logits": logits.detach(), "loss": loss.detach().reshape(1)}
    out.update({"grad." + k: v.grad.detach().clone() for k, v in p.items()})
    opt = torch.optim.AdamW(list(p.values()), lr=ADAMW["lr"], betas=ADAMW["betas"],
                            eps=ADAMW["eps"], weight_decay=ADAMW["weight_decay"])
    losses = []
    for _ in range(ADAMW["steps"]):  # the same batch every step, as llm.c's test does
        opt.zero_grad()
        _, l = forward(c, p, tokens)
        l.backward()
        losses.append(l.detach())
        opt.step()
    out["adamw.losses"] = torch.stack(losses)
    return out


def write(path, c, params, tokens, ref64, ref32):
    arrays, tensors, offset = [], [], 0

    def add(name, array, err=None):
        nonlocal offset
        array = np.ascontiguousarray(array)
        entry = {"name": name, "dtype": "i32" if array.dtype == np.int32 else "f32",
                 "shape": list(array.shape), "offset": offset}
        if err is not None:
            entry["torch_fp32_error"] = err
        tensors.append(entry)
        arrays.append(array.tobytes())
        offset += len(arrays[-1])

    add("tokens", tokens.numpy().astype(np.int32))
    for k, v in params.items():
        add(k, v.numpy().astype(np.float32))
    for k, v in ref64.items():
        diff = (ref32[k].double() - v).abs()
        if k == "adamw.losses":  # error envelope: the largest difference up to each step
            diff = torch.cummax(diff, dim=0).values
            add(k + ".torch_fp32_error", diff.numpy().astype(np.float32))
            add(k, v.numpy().astype(np.float32))
        else:
            add(k, v.numpy().astype(np.float32), float(diff.max()))
    header = json.dumps({"config": {**c, "eps": EPS, "rope_theta": THETA}, "adamw": ADAMW,
                         "tensors": tensors}).encode()
    with open(path, "wb") as f:
        f.write(b"LOWPREF1" + struct.pack("<Q", len(header)) + header + b"".join(arrays))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
    torch.set_num_threads(1)
    for name, c in CASES.items():
        gen = torch.Generator().manual_seed(c["seed"])
        params = init_params(c, gen)
        tokens = torch.randint(0, c["vocab"], (c["B"], c["T"] + 1), generator=gen)
        ref64 = run(c, params, tokens, torch.float64)
        ref32 = run(c, params, tokens, torch.float32)
        path = os.path.join(out_dir, f"lm_torch_{name}.bin")
        write(path, c, params, tokens, ref64, ref32)
        print(f"{path}: loss {ref64['loss'].item():.6f}, AdamW losses "
              f"{', '.join(f'{x:.4f}' for x in ref64['adamw.losses'].tolist())}")


if __name__ == "__main__":
    main()
