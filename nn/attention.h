// Rotary position embedding and causal multi-head self-attention with quantizable GEMMs.
#pragma once

#include <cstdint>
#include <string>

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

// out (B, T, C) = per head softmax(Q K^T / sqrt(D) + causal mask) V, from qkv (B, T, 3C) =
// [q | k | v]; att (B, H, T, T) saves the probabilities (zero above the diagonal).
void attention_forward(const AttentionQuant& q, float* out, float* att, const float* qkv, int64_t B,
                       int64_t T, int64_t C, int64_t H, uint64_t step);
// dqkv (B, T, 3C) += gradients of q, k, v.
void attention_backward(const AttentionQuant& q, float* dqkv, const float* dout, const float* qkv,
                        const float* att, int64_t B, int64_t T, int64_t C, int64_t H,
                        uint64_t step);

}  // namespace lowp::nn
