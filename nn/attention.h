// Rotary position embedding and causal multi-head self-attention with quantizable GEMMs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/qgemm.h"
#include "recipe/recipe.h"

namespace lowp::nn {

// Dimensions: B batch, T time, C channels, H heads, D = C / H head size.

// cos, sin (T, D/2): angle t * theta^(-2i/D), computed in double.
void rope_table(float* cos, float* sin, int64_t T, int64_t D, double theta);
// Rotates the q and k parts of qkv (B, T, 3C) in place: in every head, the pairs
// (i, i + D/2) turn by their angle. An orthogonal map, so backward applies its transpose.
void rope_forward(float* qkv, const float* cos, const float* sin, int64_t B, int64_t T, int64_t C,
                  int64_t H);
// Rotates the dq and dk parts of dqkv (B, T, 3C) back in place (the gradient through RoPE).
void rope_backward(float* dqkv, const float* cos, const float* sin, int64_t B, int64_t T, int64_t C,
                   int64_t H);

// The six GEMMs of attention per (batch, head) and their operand slots (recipe.h):
//   qk  S  = Q K^T   attn.q, attn.k   along D        pv  O  = P V    attn.p, attn.v   along keys
//   dp  dP = dO V^T  attn.dO, attn.v  along D        dv  dV = P^T dO attn.p, attn.dO  along queries
//   dq  dQ = dS K    attn.dS, attn.k  along keys     dk  dK = dS^T Q attn.dS, attn.q  along queries
struct AttentionQuant {
  GemmSite qk, pv, dp, dv, dq, dk;
};
AttentionQuant make_attention_quant(const Recipe& r, const std::string& layer, Streams& streams);

// The forward's bf16 copies of a layer's attention operands kept for its backward, per (batch,
// head) piece: Q, K, V (T, D) and P (T, T) as the forward's quantizers made them. qkv and att
// are saved activations stored through saved_qkv and saved_att. A backward GEMM reads a copy
// where both sites run fused in bf16 and its quantizer gives from the saved tensor what the
// forward's gave (same_values_through); a piece whose copies failed (a NaN payload) quantizes
// as usual.
struct AttentionKeep {
  const Quantizer *saved_qkv = nullptr, *saved_att = nullptr;
  std::vector<uint16_t> q, k, v, p;
  std::vector<uint8_t> ok;  // per piece: its copies hold this step's values
  // Set by attention_forward: the copies backward reads, and whether the P copy is
  // saved_att(P) itself (then backward's dS reads it too).
  bool q_for_dk = false, k_for_dq = false, v_for_dp = false, p_for_dv = false;
  bool p_is_saved = false;
  bool all_ok() const;  // every piece's copies
  // Backward reads nothing of the saved qkv (att) tensor: its saved quantization is dead work.
  bool covers_qkv() const { return q_for_dk && k_for_dq && v_for_dp && all_ok(); }
  bool covers_att() const { return p_for_dv && p_is_saved && all_ok(); }
};

// out (B, T, C) = per head softmax(Q K^T / sqrt(D) + causal mask) V, from qkv (B, T, 3C) =
// [q | k | v]; att (B, H, T, T) saves the probabilities (zero above the diagonal). `keep`, if
// given (saved_* set), receives the copies backward can use.
void attention_forward(const AttentionQuant& q, float* out, float* att, const float* qkv, int64_t B,
                       int64_t T, int64_t C, int64_t H, uint64_t step,
                       AttentionKeep* keep = nullptr);
// dqkv (B, T, 3C) += gradients of q, k, v. `keep`: the forward's of this step, if given.
void attention_backward(const AttentionQuant& q, float* dqkv, const float* dout, const float* qkv,
                        const float* att, int64_t B, int64_t T, int64_t C, int64_t H, uint64_t step,
                        const AttentionKeep* keep = nullptr);

}  // namespace lowp::nn
