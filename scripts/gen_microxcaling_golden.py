#!/usr/bin/env python3
"""Writes golden vectors of microsoft/microxcaling's MX quantization (PyTorch CPU path) for every
element type and every rounding mode it has, in the format of
../shared/testdata/formats/mx/<elem>_nearest_microxcaling.tsv.gz.

  /usr/bin/python3 scripts/gen_microxcaling_golden.py --mx /tmp/microxcaling \
      [--shared ../shared/testdata/formats/mx] [--out tests/data/mx_microxcaling]

--mx is a checkout of microxcaling (the goldens of lowp were made at commit 7bc41952); its
modules are imported from there, never copied. Inputs: the blocks of the shared
<elem>_nearest_microxcaling file (so the three modes share inputs), then extra blocks aimed at
values just below a power of two and at the fp32 `|x| + 0.5` rounding (ids from 100000; their
kinds go to block_categories.tsv in --out).

Every block goes through `_quantize_mx(x, 8, elem, axes=[-1], block_size=32, round=mode)`. The
scale byte and the element codes come from the same computation split in its three steps (the
shared exponent from its `_shared_exponents`, offset by the element's emax and clamped to
[-127, 127] or NaN; x / 2^X through its `_quantize_elemwise_core`; the result times 2^X), and the
script stops unless the recombined values equal `_quantize_mx`'s bit for bit.

`ocp_exact` is 1 when scale byte, values and codes all equal the exact OCP v1.0 rule for the same
rounding (lowp's default behaviour). That rule is computed here in exact float64 arithmetic,
independently of both lowp and microxcaling, and the script first checks it reproduces every
row of the shared <elem>_<mode>_ocp files. It also checks that its `nearest` rows equal the
shared microxcaling file on the shared inputs.
"""
import argparse
import gzip
import os
import sys
import types

import numpy as np
import torch

ELEMS = ["fp8_e4m3", "fp8_e5m2", "fp6_e3m2", "fp6_e2m3", "fp4_e2m1", "int8"]
MODES = ["even", "nearest", "floor"]
EXTRA_BASE_ID = 100000


# ---------------------------------------------------------------------------------------------
# Element formats (lowp's own description; OCP v1.0 section 5.3)
# ---------------------------------------------------------------------------------------------
class Elem:
    """ebits/mbits as in the format name (int8: ebits 0); codes and values of every code."""

    def __init__(self, name):
        self.name = name
        self.is_int = name == "int8"
        if self.is_int:
            self.ebits, self.mbits, self.bits = 0, 6, 8  # k / 64, |k| <= 127
            self.emax, self.max_norm, self.min_exp = 0, 127.0 / 64.0, 0
            return
        e, m = name.split("_")[1][1:].split("m")
        self.ebits, self.mbits = int(e), int(m)
        self.bits = 1 + self.ebits + self.mbits
        bias = 2 ** (self.ebits - 1) - 1
        self.min_exp = 1 - bias
        self.table = {}  # magnitude value -> magnitude code
        for c in range(2 ** (self.ebits + self.mbits)):
            f, m = c >> self.mbits, c & ((1 << self.mbits) - 1)
            if name == "fp8_e4m3" and c == 0x7F:
                continue  # NaN
            if name == "fp8_e5m2" and f == 31:
                continue  # inf / NaN
            v = (m / 2.0**self.mbits) * 2.0 ** (1 - bias) if f == 0 else \
                (1 + m / 2.0**self.mbits) * 2.0 ** (f - bias)
            self.table[v] = c
        self.max_norm = max(self.table)
        self.emax = int(np.floor(np.log2(self.max_norm)))

    def code(self, v):
        """Code of an element value that the format holds exactly (sign of -0 kept)."""
        if self.is_int:
            k = int(round(v * 64.0))
            assert k == v * 64.0 and abs(k) <= 127, v
            return k & 0xFF
        sign = (1 << (self.bits - 1)) if np.signbit(v) else 0
        return sign | self.table[abs(float(v))]

    def code_text(self, c):
        return "0x%02x" % c


def f32_bits(a):
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


def bits_f32(b):
    return np.asarray(b, dtype=np.uint32).view(np.float32)


# ---------------------------------------------------------------------------------------------
# The exact OCP rule, in float64 (every intermediate below is exact)
# ---------------------------------------------------------------------------------------------
def exact_ocp(el, x, mode):
    """x: [N, 32] float32. Returns (X or None per block, element values [N, 32] float64)."""
    amax = np.max(np.abs(x), axis=1)  # NaN propagates
    finite = np.isfinite(amax)
    field = (f32_bits(amax) >> 23).astype(np.int64)
    X = np.where(field == 0, -127, field - 127) - el.emax
    X = np.maximum(X, -127)
    with np.errstate(invalid="ignore", over="ignore"):
        v = x.astype(np.float64) * np.exp2(-X.astype(np.float64))[:, None]
        av = np.abs(np.where(np.isfinite(v), v, 0.0))
    if el.is_int:
        q = np.full_like(av, 1.0 / 64.0)
    else:
        _, ex = np.frexp(av)
        pe = np.maximum(np.where(av == 0, el.min_exp, ex - 1), el.min_exp)
        q = np.exp2((pe - el.mbits).astype(np.float64))
    t = av / q
    fl = np.floor(t)
    if mode == "floor":
        r = fl
    elif mode == "nearest":
        r = fl + (t - fl >= 0.5)
    else:
        r = np.rint(t)  # ties to even
    r = np.minimum(r * q, el.max_norm)
    with np.errstate(invalid="ignore"):  # NaN blocks' elements are never used
        r = np.copysign(r, x.astype(np.float64))  # a negative input rounded to zero keeps -0
    return [int(a) if ok else None for a, ok in zip(X, finite)], r


# ---------------------------------------------------------------------------------------------
# microxcaling
# ---------------------------------------------------------------------------------------------
def load_microxcaling(path):
    # Import the three modules without mx/__init__.py, which pulls in the whole nn layer.
    pkg = types.ModuleType("mx")
    pkg.__path__ = [os.path.join(path, "mx")]
    sys.modules["mx"] = pkg
    from mx import elemwise_ops, formats, mx_ops  # noqa: E402
    return mx_ops, elemwise_ops, formats


def run_microxcaling(mx, el, x, mode):
    """x: [N, 32] float32. Returns (X or None per block, element values, output values)."""
    mx_ops, elemwise_ops, formats = mx
    A = torch.from_numpy(x.copy())
    out = mx_ops._quantize_mx(A, 8, el.name, shared_exp_method="max", axes=[-1], block_size=32,
                              round=mode, flush_fp32_subnorms=False, custom_cuda=False)
    ebits, mbits, emax, max_norm, _ = formats._get_format_params(el.name)
    assert emax == el.emax and max_norm == el.max_norm, (el.name, emax, max_norm)
    # The same computation in its three steps: shared exponent, elements, rescale.
    se = mx_ops._shared_exponents(A, method="max", axes=[-1], ebits=0) - emax
    se[se > 127] = float("NaN")
    se[se < -127] = -127
    elem = elemwise_ops._quantize_elemwise_core(A / (2**se), mbits, ebits, max_norm, round=mode,
                                                allow_denorm=True, saturate_normals=True,
                                                custom_cuda=False)
    again = elem * (2**se)
    o, g = out.numpy(), again.numpy()
    same = (f32_bits(o) == f32_bits(g)) | (np.isnan(o) & np.isnan(g))
    if not same.all():
        sys.exit("%s %s: the three-step split differs from _quantize_mx" % (el.name, mode))
    X = [None if np.isnan(s) else int(s) for s in se.numpy()[:, 0]]
    return X, elem.numpy().astype(np.float64), o


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------
def value_text(v):
    return "NaN" if np.isnan(v) else "0x%08x" % int(f32_bits(np.float32(v)))


def block_fields(el, X, elem_vals):
    """(scale text, value texts, code texts or '-') of one block."""
    if X is None:
        return "0xff", ["NaN"] * 32, "-"
    with np.errstate(over="ignore"):  # microxcaling's FLT_MAX blocks overflow to inf
        vals = (elem_vals * 2.0**X).astype(np.float32)  # one rounding, as fp32 elem * 2^X
    codes = ",".join(el.code_text(el.code(v)) for v in elem_vals)
    return "0x%02x" % (X + 127), [value_text(v) for v in vals], codes


def make_rows(el, ids, x, mode, mx):
    X_ref, elem_ref, out_ref = run_microxcaling(mx, el, x, mode)
    X_ocp, elem_ocp = exact_ocp(el, x, mode)
    rows = []
    for i, bid in enumerate(ids):
        scale, vals, codes = block_fields(el, X_ref[i], elem_ref[i])
        ref_vals = [value_text(v) for v in out_ref[i]]
        assert vals == ref_vals, (el.name, mode, bid)
        ocp = block_fields(el, X_ocp[i], elem_ocp[i])
        exact = int(ocp == (scale, vals, codes))
        ins = ",".join("0x%08x" % b for b in f32_bits(x[i]))
        rows.append("%d\t%s\t%s\t%s\t%d\t%s" % (bid, scale, ins, ",".join(vals), exact, codes))
    return rows


HEADER = "block_id\tscale_e8m0\tin_bits\tout_value_bits\tocp_exact\telem_codes"


def read_tsv(path):
    with gzip.open(path, "rt") as f:
        lines = f.read().splitlines()
    hdr = lines[0].split("\t")
    return hdr, [dict(zip(hdr, l.split("\t"))) for l in lines[1:]]


def check_exact_rule(el, shared):
    """The float64 exact rule reproduces every row of the shared OCP files."""
    for mode in MODES:
        _, rows = read_tsv(os.path.join(shared, "%s_%s_ocp.tsv.gz" % (el.name, mode)))
        x = bits_f32([[int(b, 16) for b in r["in_bits"].split(",")] for r in rows])
        X, ev = exact_ocp(el, x, mode)
        for i, r in enumerate(rows):
            got = block_fields(el, X[i], ev[i])
            want = (r["scale_e8m0"], r["out_value_bits"].split(","), r["elem_codes"])
            if got != want:
                sys.exit("exact rule differs from %s_%s_ocp block %s" % (el.name, mode,
                                                                        r["block_id"]))


# ---------------------------------------------------------------------------------------------
# Extra blocks: values just below powers of two, and the fp32 |x| + 0.5 rounding
# ---------------------------------------------------------------------------------------------
def below(k, j):
    """fp32 bits of 2^k minus j fp32 ulps of the binade below (k in [-148, 128])."""
    top = np.float64(2.0) ** k
    b = int(f32_bits(np.float32(top))) if k < 128 else 0x7F800000
    return max(b - j, 1)


def extra_blocks(el, rng):
    """[(category, [32 fp32 bits])] for one element type."""
    out = []
    anchor_e = el.emax  # an anchor of 1.5 * 2^(emax + s) gives the block X = s exactly
    elem_lo = el.min_exp - 1 if not el.is_int else -8
    # 1. Elements 1..31 ulps below 2^k for every k of the element's range, X in {0, 40, -90}.
    for s in (0, 40, -90):
        for k in range(elem_lo, el.emax + 2):
            if k + s < -148:
                continue
            blk = [int(f32_bits(np.float32(1.5 * 2.0 ** (anchor_e + s))))]
            blk += [below(k + s, j) | (0x80000000 if j % 3 == 0 else 0) for j in range(1, 32)]
            out.append(("pow2_below_elem_se%d" % s, blk))
    # 2. Block amax 1..32 ulps below 2^k (the shared exponent and then the element cross over).
    for k in (-147, -130, -127, -126, -100, -20, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 16,
              17, 30, 64, 100, 120, 126, 127, 128):
        out.append(("pow2_below_amax", [below(k, j) | (0x80000000 if j % 4 == 1 else 0)
                                        for j in range(1, 33)]))
    # 3. The two named values, alone, with their negatives, and together.
    z = [0] * 31
    out.append(("named", [0x417FFFFF] + z))
    out.append(("named", [0x3EFFFFFF] + z))
    out.append(("named", [0xC17FFFFF, 0xBEFFFFFF] + z[1:]))
    out.append(("named", [0x417FFFFF, 0x3EFFFFFF, 0xBEFFFFFF, 0x3F000000, 0x3F800000, 0x3E800000]
                + [0] * 26))
    # 4. Scaled elements t = |x| / 2^(pe - m) at and next to 0.5 - 2^-25 and at the ties k + 0.5,
    #    for X in {0, 40, -90} (fp32 |t| + 0.5 rounds 0.5 - 2^-25 up to 1).
    ts = [0.5 - 2.0**-25, 0.5 - 2.0**-24, 0.5 - 3 * 2.0**-25, 0.5, 0.5 + 2.0**-24, 0.25,
          0.25 - 2.0**-26, 1.5, 2.5, 1.5 - 2.0**-23, 2.5 - 2.0**-22, 3.5, 0.75, 1.0 - 2.0**-24,
          0.375, 0.125 + 2.0**-26]
    quantum = 2.0 ** (el.min_exp - el.mbits) if not el.is_int else 2.0**-6
    for s in (0, 40, -90):
        blk = [int(f32_bits(np.float32(1.5 * 2.0 ** (anchor_e + s))))]
        for i, t in enumerate(ts):
            v = np.float32(t * quantum * 2.0**s)
            blk += [int(f32_bits(v)), int(f32_bits(-v))]
        out.append(("half_below_se%d" % s, blk[:32] + [0] * (32 - len(blk[:32]))))
    # 5. Zeros: -0 among values, negatives that round to zero, and x * 2^-X underflowing to 0.
    out.append(("zeros", [0x80000000, 0x3F800000, 0xB3000000, 0x80000001, 0xBF800000]
                + [0x80000000] * 27))
    out.append(("zeros", [0x7F000000, 0x80000001, 0x00000001, 0x80000000, 0xA0000000]
                + [0x00000000] * 27))
    # 6. Random: elements +-2^k (1 - j 2^-24), j in [0, 40], random k of the element's range,
    #    random block offsets X, an anchor fixing X in half of them.
    for n in range(120):
        s = int(rng.integers(-120, 100))
        ks = rng.integers(elem_lo, el.emax + 2, size=32) + s
        js = rng.integers(0, 41, size=32)
        blk = [below(int(max(k, -148)), int(j)) | (0x80000000 if rng.integers(2) else 0)
               for k, j in zip(ks, js)]
        if n % 2 == 0:
            blk[0] = int(f32_bits(np.float32(1.5 * 2.0 ** (anchor_e + s))))
        out.append(("rand_pow2_below", blk))
    return out


def write_categories(path, cats):
    with open(path, "w") as f:
        f.write("elem\tcategory\tfirst_block_id\tlast_block_id\n")
        for elem, cat, lo, hi in cats:
            f.write("%s\t%s\t%d\t%d\n" % (elem, cat, lo, hi))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mx", required=True, help="microxcaling checkout (holds mx/mx_ops.py)")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared", "testdata",
                                                     "formats", "mx"))
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "mx_microxcaling"))
    ap.add_argument("--seed", type=int, default=20240607)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.mx, "mx", "mx_ops.py")):
        sys.exit("--mx %s: no mx/mx_ops.py there; pass a microxcaling checkout" % args.mx)
    mx = load_microxcaling(args.mx)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    cats = []
    for el in map(Elem, ELEMS):
        check_exact_rule(el, args.shared)
        _, shared_rows = read_tsv(os.path.join(args.shared,
                                               "%s_nearest_microxcaling.tsv.gz" % el.name))
        ids = [int(r["block_id"]) for r in shared_rows]
        blocks = [[int(b, 16) for b in r["in_bits"].split(",")] for r in shared_rows]
        rng = np.random.default_rng(args.seed + ELEMS.index(el.name))
        for cat, blk in extra_blocks(el, rng):
            assert len(blk) == 32, (el.name, cat)
            bid = EXTRA_BASE_ID + len(ids) - len(shared_rows)
            if cats and cats[-1][0] == el.name and cats[-1][1] == cat:
                cats[-1][3] = bid
            else:
                cats.append([el.name, cat, bid, bid])
            ids.append(bid)
            blocks.append(blk)
        x = bits_f32(blocks)
        for mode in MODES:
            rows = make_rows(el, ids, x, mode, mx)
            if mode == "nearest":
                want = [ "\t".join(r[h] for h in HEADER.split("\t")) for r in shared_rows]
                bad = [i for i, w in enumerate(want) if rows[i] != w]
                if bad:
                    sys.exit("%s nearest: %d shared rows differ, first block %s" %
                             (el.name, len(bad), shared_rows[bad[0]]["block_id"]))
            path = os.path.join(args.out, "%s_%s_microxcaling.tsv.gz" % (el.name, mode))
            with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
                f.write((HEADER + "\n" + "\n".join(rows) + "\n").encode())
            diff = sum(1 for r in rows if r.split("\t")[4] == "0")
            print("%s: %d blocks (%d extra), %d differ from the exact rule" %
                  (os.path.basename(path), len(rows), len(rows) - len(shared_rows), diff))
    write_categories(os.path.join(args.out, "block_categories.tsv"), cats)


if __name__ == "__main__":
    main()
