// Causal attention per (batch, head) piece: operands quantized whole, GEMMs over causal blocks.
#include "nn/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "nn/parallel.h"
#include "nn/vecmath.h"

namespace lowp::nn {
namespace {

constexpr int64_t kBlock = 64;  // query/key block of the causal GEMMs

// One logical GEMM's operands, prepared for a piece and reported to the tap if one is set.
struct Prepared {
  Mat a, b;
  GemmPath path;  // bf16 when both operands are bf16 values
};
Prepared prepare(const GemmSite& s, uint64_t step, uint64_t base, int64_t piece, int64_t M,
                 int64_t N, int64_t K, Mat A, Mat B, std::vector<float>& ba,
                 std::vector<float>& bb) {
  const Hadamard h = s.transform_at(step);
  const int64_t ar = A.trans ? K : M, ac = A.trans ? M : K;
  const int64_t br = B.trans ? N : K, bc = B.trans ? K : N;
  Prepared p{prepare_operand(s.a, h, A, ar, ac, true, base, ba),
             prepare_operand(s.b, h, B, br, bc, false, base, bb), s.path()};
  if (gemm_tap_active()) {
    GemmRecord r;
    r.layer = s.layer;
    r.gemm = s.gemm;
    r.piece = piece;
    r.M = M;
    r.N = N;
    r.K = K;
    r.a = record(s.slot_a, s.a, h, A, p.a, ar, ac, true, base);
    r.b = record(s.slot_b, s.b, h, B, p.b, br, bc, false, base);
    emit(r);
  }
  return p;
}

Mat offset(Mat m, int64_t r, int64_t c) {
  return Mat{m.p + r * m.ld + c, m.ld, m.trans};
}

// Per-thread buffers: quantized operands and the (T, T) dP / dS matrix.
struct Scratch {
  std::vector<float> op[4], ds;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
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
  parallel_for((B * T + rows - 1) / rows, [&](int64_t p) {
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

void attention_forward(const AttentionQuant& q, float* out, float* att, const float* qkv, int64_t B,
                       int64_t T, int64_t C, int64_t H, uint64_t step) {
  const int64_t D = C / H;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  parallel_for(B * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    Scratch& sc = scratch();
    const uint64_t base = step_index_base(step, static_cast<uint64_t>(bh * T * std::max(T, D)));
    const Mat Q{qkv + b * T * 3 * C + h * D, 3 * C, false};
    const Mat K{Q.p + C, 3 * C, true}, V{Q.p + 2 * C, 3 * C, false};
    float* P = att + bh * T * T;  // (T, T): scores, then probabilities in place
    // S = Q K^T * scale over causal blocks: rows [r0, r1) need keys [0, r1).
    const Prepared s = prepare(q.qk, step, base, bh, T, T, D, Q, K, sc.op[0], sc.op[1]);
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      gemm(r1 - r0, r1, D, scale, offset(s.a, r0, 0), s.b, 0.0f, P + r0 * T, T, s.path);
    }
    for (int64_t i = 0; i < T; ++i) {
      float* p = P + i * T;
      exp_shifted(p, p, max_of(p, i + 1), i + 1);
      const float inv = 1.0f / sum(p, i + 1);
      for (int64_t j = 0; j <= i; ++j) p[j] *= inv;
      std::fill(p + i + 1, p + T, 0.0f);
    }
    // O = P V over causal blocks.
    const Prepared o =
        prepare(q.pv, step, base, bh, T, D, T, Mat{P, T, false}, V, sc.op[2], sc.op[3]);
    float* O = out + b * T * C + h * D;
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      gemm(r1 - r0, D, r1, 1.0f, offset(o.a, r0, 0), o.b, 0.0f, O + r0 * C, C, o.path);
    }
  });
}

void attention_backward(const AttentionQuant& q, float* dqkv, const float* dout, const float* qkv,
                        const float* att, int64_t B, int64_t T, int64_t C, int64_t H,
                        uint64_t step) {
  const int64_t D = C / H;
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(D)));
  parallel_for(B * H, [&](int64_t bh) {
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
    // dP = dO V^T over causal blocks.
    const Prepared p = prepare(q.dp, step, base, bh, T, T, D, dO, Mat{q0 + 2 * C, 3 * C, true},
                               sc.op[0], sc.op[1]);
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      gemm(r1 - r0, r1, D, 1.0f, offset(p.a, r0, 0), p.b, 0.0f, dS + r0 * T, T, p.path);
    }
    // dV = P^T dO: key block [c0, c1) sums over queries [c0, T).
    const Prepared v =
        prepare(q.dv, step, base, bh, T, D, T, Mat{P, T, true}, dO, sc.op[2], sc.op[3]);
    for (int64_t c0 = 0; c0 < T; c0 += kBlock) {
      const int64_t c1 = std::min(T, c0 + kBlock);
      gemm(c1 - c0, D, T - c0, 1.0f, offset(v.a, c0, c0), offset(v.b, c0, 0), 1.0f, dV + c0 * 3 * C,
           3 * C, v.path);
    }
    // dS = P * (dP - rowsum(dP * P)), zero above the diagonal.
    for (int64_t i = 0; i < T; ++i) {
      const float* pi = P + i * T;
      float* d = dS + i * T;
      const float dp = dot(d, pi, i + 1);
      for (int64_t j = 0; j <= i; ++j) d[j] = pi[j] * (d[j] - dp);
      std::fill(d + i + 1, d + T, 0.0f);
    }
    // dQ = dS K * scale over causal blocks.
    const Prepared k = prepare(q.dq, step, base, bh, T, D, T, Mat{dS, T, false},
                               Mat{q0 + C, 3 * C, false}, sc.op[0], sc.op[1]);
    for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
      const int64_t r1 = std::min(T, r0 + kBlock);
      gemm(r1 - r0, D, r1, scale, offset(k.a, r0, 0), k.b, 1.0f, dQ + r0 * 3 * C, 3 * C, k.path);
    }
    // dK = dS^T Q * scale: key block [c0, c1) sums over queries [c0, T).
    const Prepared g = prepare(q.dk, step, base, bh, T, D, T, Mat{dS, T, true},
                               Mat{q0, 3 * C, false}, sc.op[2], sc.op[3]);
    for (int64_t c0 = 0; c0 < T; c0 += kBlock) {
      const int64_t c1 = std::min(T, c0 + kBlock);
      gemm(c1 - c0, D, T - c0, scale, offset(g.a, c0, c0), offset(g.b, c0, 0), 1.0f,
           dK + c0 * 3 * C, 3 * C, g.path);
    }
  });
}

}  // namespace lowp::nn
