// Causal attention per (batch, head) piece: operands quantized whole, GEMMs over causal blocks.
#include "nn/attention.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "kernels/parallel.h"
#include "nn/vecmath.h"

namespace lowp::nn {
namespace {

constexpr int64_t kBlock = 64;  // query/key block of the causal GEMMs

// Per-thread buffers: quantized operands (fp32 or, for fused sites, bf16) and the (T, T)
// dP / dS matrix.
struct Scratch {
  std::vector<float> op[4], ds, wide[2], prow;
  std::vector<uint16_t> h[4];
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// One logical GEMM's operands, prepared for a piece and reported to the tap if one is set:
// bf16 copies when the site is fused (fused_bf16), else fp32 values.
struct Prepared {
  Mat a, b;
  Mat16 a16, b16;
  bool fused = false;
  GemmPath path;  // bf16 when both operands are bf16 values
};
// Where a fused site's bf16 copies come from or go (all optional): `a_ready` / `b_ready` an
// operand already through its quantizer as bf16, `a_dst` / `b_dst` room for a copy that must
// outlive the piece (else the thread's scratch).
struct Copies {
  const Mat16 *a_ready = nullptr, *b_ready = nullptr;
  uint16_t *a_dst = nullptr, *b_dst = nullptr;
};
// `slots`: the scratch buffers of A and B (0 and 1, or 2 and 3).
Prepared prepare(const GemmSite& s, uint64_t step, uint64_t base, int64_t piece, int64_t M,
                 int64_t N, int64_t K, Mat A, Mat B, int slots, const Copies& c = {}) {
  Scratch& sc = scratch();
  const Hadamard h = s.transform_at(step);
  const int64_t ar = A.trans ? K : M, ac = A.trans ? M : K;
  const int64_t br = B.trans ? N : K, bc = B.trans ? K : N;
  Prepared p;
  p.path = s.path();
  const auto to16 = [&](const Quantizer& q, Mat X, int64_t rows, int64_t cols, bool lhs,
                        const Mat16* ready, uint16_t* dst, std::vector<uint16_t>& buf, Mat16* out) {
    if (ready) {
      *out = *ready;
      return true;
    }
    if (dst) return prepare_operand_bf16(q, h, X, rows, cols, lhs, base, dst, out);
    return prepare_operand_bf16(q, h, X, rows, cols, lhs, base, buf, out);
  };
  if (fused_bf16(s)) {
    p.fused = to16(s.a, A, ar, ac, true, c.a_ready, c.a_dst, sc.h[slots], &p.a16) &&
              to16(s.b, B, br, bc, false, c.b_ready, c.b_dst, sc.h[slots + 1], &p.b16);
  }
  if (!p.fused) {
    p.a = prepare_operand(s.a, h, A, ar, ac, true, base, sc.op[slots]);
    p.b = prepare_operand(s.b, h, B, br, bc, false, base, sc.op[slots + 1]);
  }
  if (gemm_tap_active()) {
    GemmRecord r;
    r.layer = s.layer;
    r.gemm = s.gemm;
    r.piece = piece;
    r.M = M;
    r.N = N;
    r.K = K;
    r.a = record(s.slot_a, s.a, h, A, p.fused ? widen(p.a16, ar * ac, sc.wide[0]) : p.a, ar, ac,
                 true, base);
    r.b = record(s.slot_b, s.b, h, B, p.fused ? widen(p.b16, br * bc, sc.wide[1]) : p.b, br, bc,
                 false, base);
    emit(r);
  }
  return p;
}

// C = alpha op(A') op(B') + beta C over the prepared operands, A' starting at stored (ra, ca)
// of A and B' at stored row rb of B.
void run(const Prepared& p, int64_t M, int64_t N, int64_t K, float alpha, int64_t ra, int64_t ca,
         int64_t rb, float beta, float* C, int64_t ldc) {
  if (p.fused) {
    gemm_bf16(M, N, K, alpha, Mat16{p.a16.p + ra * p.a16.ld + ca, p.a16.ld, p.a16.trans},
              Mat16{p.b16.p + rb * p.b16.ld, p.b16.ld, p.b16.trans}, beta, C, ldc);
  } else {
    gemm(M, N, K, alpha, Mat{p.a.p + ra * p.a.ld + ca, p.a.ld, p.a.trans},
         Mat{p.b.p + rb * p.b.ld, p.b.ld, p.b.trans}, beta, C, ldc, p.path);
  }
}

}  // namespace

void rope_table(float* cos, float* sin, int64_t T, int64_t D, double theta) {
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < D / 2; ++i) {
      const double angle = static_cast<double>(t) *
                           std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(D));
      cos[t * (D / 2) + i] = static_cast<float>(std::cos(angle));
      sin[t * (D / 2) + i] = static_cast<float>(std::sin(angle));
    }
}

namespace {
// Rotates pairs (i, i + D/2) of the first 2C columns of rows [bt0, bt1) of x (B, T, 3C) by
// +angle or -angle.
LOWP_CLONES void rope_rows(float* __restrict x, const float* __restrict cos,
                           const float* __restrict sin, int64_t bt0, int64_t bt1, int64_t T,
                           int64_t C, int64_t H, float dir) {
  const int64_t D = C / H, half = D / 2;
  for (int64_t bt = bt0; bt < bt1; ++bt) {
    const int64_t t = bt % T;
    const float *c = cos + t * half, *s = sin + t * half;
    for (int64_t head = 0; head < 2 * H; ++head) {  // q heads, then k heads
      float* v = x + bt * 3 * C + head * D;
      for (int64_t i = 0; i < half; ++i) {
        const float a = v[i], b = v[i + half], si = dir * s[i];
        v[i] = a * c[i] - b * si;
        v[i + half] = a * si + b * c[i];
      }
    }
  }
}

void rope_apply(float* x, const float* cos, const float* sin, int64_t B, int64_t T, int64_t C,
                int64_t H, float dir) {
  const int64_t rows = 16;
  kernels::parallel_for((B * T + rows - 1) / rows, [&](int64_t p) {
    rope_rows(x, cos, sin, p * rows, std::min(B * T, (p + 1) * rows), T, C, H, dir);
  });
}
}  // namespace

void rope_forward(float* qkv, const float* cos, const float* sin, int64_t B, int64_t T, int64_t C,
                  int64_t H) {
  rope_apply(qkv, cos, sin, B, T, C, H, 1.0f);
}

void rope_backward(float* dqkv, const float* cos, const float* sin, int64_t B, int64_t T, int64_t C,
                   int64_t H) {
  rope_apply(dqkv, cos, sin, B, T, C, H, -1.0f);
}

AttentionQuant make_attention_quant(const Recipe& r, const std::string& layer, Streams& streams) {
  // Attention GEMMs take no recipe transform (transforms are keyed fwd / dgrad / wgrad).
  auto site = [&](const char* gemm, const char* a, const char* b) {
    return make_site(layer, gemm, a, r.format_for(layer, a), b, r.format_for(layer, b), Transform{},
                     streams);
  };
  return {site("attn.qk", "attn.q", "attn.k"),  site("attn.pv", "attn.p", "attn.v"),
          site("attn.dp", "attn.dO", "attn.v"), site("attn.dv", "attn.p", "attn.dO"),
          site("attn.dq", "attn.dS", "attn.k"), site("attn.dk", "attn.dS", "attn.q")};
}

void plan_keep(const AttentionQuant& q, AttentionKeep& k) {
  const auto through = [](const GemmSite& f, const Quantizer& fq, const Quantizer* saved,
                          const GemmSite& b, const Quantizer& bq) {
    return saved && copy_serves(f, fq, *saved, b, bq);
  };
  k.q_for_dk = through(q.qk, q.qk.a, k.saved_qkv, q.dk, q.dk.b);
  k.k_for_dq = through(q.qk, q.qk.b, k.saved_qkv, q.dq, q.dq.b);
  k.v_for_dp = through(q.pv, q.pv.b, k.saved_qkv, q.dp, q.dp.b);
  k.p_for_dv = through(q.pv, q.pv.a, k.saved_att, q.dv, q.dv.a);
  // The P copy is saved_att(P) itself: saved_att(saved_att(P)) == pv.a(P), saved_att not the
  // identity.
  k.p_is_saved = k.saved_att && !k.saved_att->identity() && fused_bf16(q.pv) &&
                 same_values_through(q.pv.a, *k.saved_att, *k.saved_att);
}

void attention_forward(const AttentionQuant& q, float* out, float* att, const float* qkv, int64_t B,
                       int64_t T, int64_t C, int64_t H, uint64_t step, AttentionKeep* keep) {
  const int64_t D = C / H;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  if (keep) {
    plan_keep(q, *keep);
    const auto room = [&](bool used, std::vector<uint16_t>& v, int64_t n) {
      if (used && v.size() < static_cast<size_t>(n)) v.resize(n);
    };
    room(keep->q_for_dk, keep->q, B * H * T * D);
    room(keep->k_for_dq, keep->k, B * H * T * D);
    room(keep->v_for_dp, keep->v, B * H * T * D);
    room(keep->p_for_dv || keep->p_is_saved, keep->p, B * H * T * T);
    keep->ok.assign(B * H, 0);
  }
  kernels::parallel_for(B * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    const uint64_t base = step_index_base(step, static_cast<uint64_t>(bh * T * std::max(T, D)));
    const Mat Q{qkv + b * T * 3 * C + h * D, 3 * C, false};
    const Mat K{Q.p + C, 3 * C, true}, V{Q.p + 2 * C, 3 * C, false};
    float* P = att + bh * T * T;  // (T, T): scores, then probabilities in place
    // Copies kept for backward go to keep's buffers.
    const auto dst = [&](bool used, std::vector<uint16_t>& v, int64_t n) {
      return keep && used ? v.data() + bh * n : nullptr;
    };
    Copies cs, co;
    if (keep) {
      cs.a_dst = dst(keep->q_for_dk, keep->q, T * D);
      cs.b_dst = dst(keep->k_for_dq, keep->k, T * D);
      co.a_dst = dst(keep->p_for_dv || keep->p_is_saved, keep->p, T * T);
      co.b_dst = dst(keep->v_for_dp, keep->v, T * D);
    }
    // S = Q K^T * scale over causal blocks: rows [r0, r1) need keys [0, r1).
    const Prepared s = prepare(q.qk, step, base, bh, T, T, D, Q, K, 0, cs);
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      run(s, r1 - r0, r1, D, scale, r0, 0, 0, 0.0f, P + r0 * T, T);
    }
    for (int64_t i = 0; i < T; ++i) {
      float* p = P + i * T;
      exp_shifted(p, p, max_of(p, i + 1), i + 1);
      const float inv = 1.0f / sum(p, i + 1);
      for (int64_t j = 0; j <= i; ++j) p[j] *= inv;
      std::fill(p + i + 1, p + T, 0.0f);
    }
    // O = P V over causal blocks.
    const Prepared o = prepare(q.pv, step, base, bh, T, D, T, Mat{P, T, false}, V, 2, co);
    float* O = out + b * T * C + h * D;
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      run(o, r1 - r0, D, r1, 1.0f, r0, 0, 0, 0.0f, O + r0 * C, C);
    }
    if (keep) keep->ok[bh] = s.fused && o.fused;
  });
}

bool AttentionKeep::all_ok() const {
  return std::all_of(ok.begin(), ok.end(), [](uint8_t piece) { return piece != 0; });
}

void attention_backward(const AttentionQuant& q, float* dqkv, const float* dout, const float* qkv,
                        const float* att, int64_t B, int64_t T, int64_t C, int64_t H, uint64_t step,
                        const AttentionKeep* keep) {
  const int64_t D = C / H;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  kernels::parallel_for(B * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    Scratch& sc = scratch();
    const uint64_t base = step_index_base(step, static_cast<uint64_t>(bh * T * std::max(T, D)));
    const float* q0 = qkv + b * T * 3 * C + h * D;
    const float* P = att + bh * T * T;
    const Mat dO{dout + b * T * C + h * D, C, false};
    float* dQ = dqkv + b * T * 3 * C + h * D;
    float *dK = dQ + C, *dV = dQ + 2 * C;
    if (sc.ds.size() < static_cast<size_t>(T * T)) sc.ds.resize(T * T);
    float* dS = sc.ds.data();  // (T, T): dP, then dS in place
    // The forward's copies of this piece (stored layouts: Q, K, V (T, D), P (T, T)).
    Mat16 kq{}, kk{}, kv{}, kp{};
    const uint16_t* p16 = nullptr;
    if (keep && keep->ok[bh]) {
      const auto at = [&](const std::vector<uint16_t>& v, int64_t n, int64_t ld, bool trans) {
        return Mat16{v.data() + bh * n, ld, trans};
      };
      if (keep->q_for_dk) kq = at(keep->q, T * D, D, false);
      if (keep->k_for_dq) kk = at(keep->k, T * D, D, false);
      if (keep->v_for_dp) kv = at(keep->v, T * D, D, true);
      if (keep->p_for_dv) kp = at(keep->p, T * T, T, true);
      if (keep->p_is_saved) p16 = keep->p.data() + bh * T * T;
    }
    const auto ready = [](const Mat16& m) { return m.p ? &m : nullptr; };
    // dP = dO V^T over causal blocks.
    const Prepared p = prepare(q.dp, step, base, bh, T, T, D, dO, Mat{q0 + 2 * C, 3 * C, true}, 0,
                               {nullptr, ready(kv)});
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      run(p, r1 - r0, r1, D, 1.0f, r0, 0, 0, 0.0f, dS + r0 * T, T);
    }
    // dV = P^T dO: key block [c0, c1) sums over queries [c0, T). dP's copy of dO serves when
    // both quantize it to the same bf16 values.
    const bool share_do = p.fused && fused_bf16(q.dv) && same_values_any_axis(q.dp.a, q.dv.b);
    const Prepared v = prepare(q.dv, step, base, bh, T, D, T, Mat{P, T, true}, dO, 2,
                               {ready(kp), share_do ? &p.a16 : nullptr});
    for (int64_t c0 = 0; c0 < T; c0 += kBlock) {
      const int64_t c1 = std::min(T, c0 + kBlock);
      run(v, c1 - c0, D, T - c0, 1.0f, c0, c0, c0, 1.0f, dV + c0 * 3 * C, 3 * C);
    }
    // dS = P * (dP - rowsum(dP * P)), zero above the diagonal; P read from its saved copy
    // when that holds the saved values.
    if (sc.prow.size() < static_cast<size_t>(T)) sc.prow.resize(T);
    for (int64_t i = 0; i < T; ++i) {
      const float* pi = P + i * T;
      if (p16) {
        widen_bf16(p16 + i * T, sc.prow.data(), i + 1);
        pi = sc.prow.data();
      }
      float* d = dS + i * T;
      const float dp = dot(d, pi, i + 1);
      for (int64_t j = 0; j <= i; ++j) d[j] = pi[j] * (d[j] - dp);
      std::fill(d + i + 1, d + T, 0.0f);
    }
    // dQ = dS K * scale over causal blocks.
    const Prepared k = prepare(q.dq, step, base, bh, T, D, T, Mat{dS, T, false},
                               Mat{q0 + C, 3 * C, false}, 0, {nullptr, ready(kk)});
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      run(k, r1 - r0, D, r1, scale, r0, 0, 0, 1.0f, dQ + r0 * 3 * C, 3 * C);
    }
    // dK = dS^T Q * scale: key block [c0, c1) sums over queries [c0, T). When both GEMMs
    // quantize dS to the same bf16 values, dQ's copy serves (read transposed).
    const bool share = k.fused && fused_bf16(q.dk) && same_values_any_axis(q.dq.a, q.dk.a);
    const Mat16 ds_t{k.a16.p, k.a16.ld, true};
    const Prepared g = prepare(q.dk, step, base, bh, T, D, T, Mat{dS, T, true},
                               Mat{q0, 3 * C, false}, 2, {share ? &ds_t : nullptr, ready(kq)});
    for (int64_t c0 = 0; c0 < T; c0 += kBlock) {
      const int64_t c1 = std::min(T, c0 + kBlock);
      run(g, c1 - c0, D, T - c0, scale, c0, c0, c0, 1.0f, dK + c0 * 3 * C, 3 * C);
    }
  });
}

}  // namespace lowp::nn
