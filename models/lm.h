// The `lm` model: a Llama-style decoder (RMSNorm, RoPE, causal attention, SwiGLU), explicit
// forward and backward with every GEMM operand quantized per the recipe.
#pragma once

#include <cstdint>
#include <vector>

#include "models/common.h"
#include "nn/attention.h"
#include "nn/linear.h"

namespace lowp::models {

// Dimensions: B batch, T time, C d_model, H heads, D = C / H head size, F ffn hidden,
// V vocab, L layers, N = B * T tokens.
//
// Layer names (for recipe overrides) and parameters ("<layer>.weight"):
//   embed (V, C)                              token embedding; also the head when tied
//   layers.<l>.attn_norm (C)                  RMSNorm gain
//   layers.<l>.attn.wqkv (3C, C)              rows [q | k | v]
//   layers.<l>.attn                           attention GEMMs (no parameters)
//   layers.<l>.attn.wo (C, C)
//   layers.<l>.mlp_norm (C)
//   layers.<l>.mlp.w13 (2F, C)                rows [gate | up]; SwiGLU: silu(gate) * up
//   layers.<l>.mlp.w2 (C, F)
//   final_norm (C)
//   head (V, C)                               untied head only
// Slots: linear layers the six GEMM operand slots; the head's three GEMMs all use slot
// "head"; the embedding table slot "embed"; norms norm.x / norm.w; saved activations
// act.saved; attention the attn.* slots.
class LM final : public Model {
 public:
  LM(const ModelConfig& cfg, const Recipe& recipe, uint64_t seed);
  std::vector<Param>& params() override { return store_.params(); }
  double step(const Batch& batch, bool backward, uint64_t step) override;

  const ModelConfig& config() const { return cfg_; }
  const float* logits() const { return logits_; }  // (N, V) of the last step

 private:
  struct LayerParams {
    size_t attn_norm, wqkv, wo, mlp_norm, w13, w2;
  };
  struct LayerQuant {
    NormQuant norm1, norm2;
    nn::LinearQuant wqkv, wo, w13, w2;
    nn::AttentionQuant attn;
    SavedQuant saved;  // x, ln1, qkv, att, atty, x2, ln2, h13, sw
  };
  // Activations of one layer saved for backward (pointers into acts_).
  struct LayerActs {
    float* x;      // (N, C) input residual stream
    float* ln1;    // (N, C)
    float* rstd1;  // (N)
    float* qkv;    // (N, 3C) q and k after RoPE
    float* att;    // (B, H, T, T) attention probabilities
    float* atty;   // (N, C)
    float* x2;     // (N, C) residual stream after attention
    float* ln2;    // (N, C)
    float* rstd2;  // (N)
    float* h13;    // (N, 2F)
    float* sw;     // (N, F)
    // What the norms read: x (x2) and the gain, or their quantized copies.
    const float *nx1, *ng1, *nx2, *ng2;
    std::vector<float> qx1, qg1, qx2, qg2;
    // The forward's bf16 operand copies that backward reads instead of the saved tensors
    // ln1, atty, ln2, sw (the linears' X) and qkv, att (attention), when they agree.
    nn::LinearKeep k_ln1, k_atty, k_ln2, k_sw;
    nn::AttentionKeep k_attn;
  };

  void reserve(int B, int T);
  double forward(uint64_t step);
  void backward(uint64_t step);
  float* head_weight() { return store_.value(cfg_.tied_embeddings ? embed_ : head_); }
  float* head_grad() { return store_.grad(cfg_.tied_embeddings ? embed_ : head_); }

  ModelConfig cfg_;
  ParamStore store_;
  size_t embed_ = 0, final_norm_ = 0, head_ = 0;
  std::vector<LayerParams> lp_;
  std::vector<LayerQuant> lq_;
  nn::Quantizer embed_q_;
  NormQuant final_q_;
  nn::LinearQuant head_q_;
  SavedQuant final_saved_;                  // x (final residual), lnf
  std::vector<float> rope_cos_, rope_sin_;  // (seq, D/2)

  int B_ = 0, T_ = 0;  // current batch shape
  std::vector<int32_t> inp_, tgt_;
  std::vector<float> acts_, grads_, embq_, fq_x_, fq_g_;
  std::vector<LayerActs> la_;
  float *xf_ = nullptr, *lnf_ = nullptr, *rstdf_ = nullptr, *logits_ = nullptr;
  float *losses_ = nullptr, *lse_ = nullptr, *tmp_ = nullptr;
  nn::LinearKeep k_lnf_;  // the head's X (lnf)
  const float *nxf_ = nullptr, *ngf_ = nullptr;
  // Gradient scratch: dresid, dln, datty (N, C), dqkv (N, 3C), dh13 (N, 2F), dsw (N, F),
  // dlogits (N, V).
  float *dresid_ = nullptr, *dln_ = nullptr, *datty_ = nullptr, *dqkv_ = nullptr;
  float *dh13_ = nullptr, *dsw_ = nullptr, *dlogits_ = nullptr;
};

}  // namespace lowp::models
