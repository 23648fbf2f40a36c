// LM: parameters, buffers, and the forward and backward passes (backward reads forward upside
// down).
#include "models/lm.h"

#include <cmath>
#include <string>

#include "models/sizes.h"
#include "nn/layers.h"
#include "nn/norm.h"
#include "nn/random.h"
#include "util/error.h"

namespace lowp::models {
namespace {

constexpr float kNormEps = 1e-5f;
constexpr double kRopeTheta = 10000.0;
constexpr float kInitStd = 0.02f;
enum Saved : size_t { kX, kLn1, kQkv, kAtt, kAtty, kX2, kLn2, kH13, kSw, kSavedCount };

std::string layer_name(int l, const char* part) {
  return "layers." + std::to_string(l) + "." + part;
}

}  // namespace

LM::LM(const ModelConfig& cfg_in, const Recipe& recipe, uint64_t seed) : cfg_(resolve(cfg_in)) {
  const int64_t C = cfg_.d_model, F = cfg_.ffn, V = cfg_.vocab;
  embed_ = store_.declare("embed.weight", {V, C});
  for (int l = 0; l < cfg_.layers; ++l) {
    LayerParams p;
    p.attn_norm = store_.declare(layer_name(l, "attn_norm.weight"), {C});
    p.wqkv = store_.declare(layer_name(l, "attn.wqkv.weight"), {3 * C, C});
    p.wo = store_.declare(layer_name(l, "attn.wo.weight"), {C, C});
    p.mlp_norm = store_.declare(layer_name(l, "mlp_norm.weight"), {C});
    p.w13 = store_.declare(layer_name(l, "mlp.w13.weight"), {2 * F, C});
    p.w2 = store_.declare(layer_name(l, "mlp.w2.weight"), {C, F});
    lp_.push_back(p);
  }
  final_norm_ = store_.declare("final_norm.weight", {C});
  if (!cfg_.tied_embeddings) head_ = store_.declare("head.weight", {V, C});
  store_.allocate();

  // Initialisation: N(0, 0.02) matrices, residual projections scaled by 1/sqrt(2L), unit gains;
  // parameter i draws from stream i of the model seed.
  const float resid_std = kInitStd / std::sqrt(2.0f * cfg_.layers);
  auto& ps = store_.params();
  for (size_t i = 0; i < ps.size(); ++i) {
    Param& p = ps[i];
    if (p.shape.size() == 1) {
      for (int64_t j = 0; j < p.size; ++j) p.value[j] = 1.0f;
      continue;
    }
    const bool resid =
        p.name.find("attn.wo") != std::string::npos || p.name.find("mlp.w2") != std::string::npos;
    nn::fill_normal(p.value, p.size, resid ? resid_std : kInitStd, seed, static_cast<uint32_t>(i));
  }

  nn::Streams streams{nn::mix64(seed ^ 0x51756E74ull /* "Qunt" */)};
  for (int l = 0; l < cfg_.layers; ++l) {
    LayerQuant q;
    q.norm1 = make_norm_quant(recipe, layer_name(l, "attn_norm"), streams);
    q.wqkv = nn::make_linear_quant(recipe, layer_name(l, "attn.wqkv"), streams);
    q.attn = nn::make_attention_quant(recipe, layer_name(l, "attn"), streams);
    q.wo = nn::make_linear_quant(recipe, layer_name(l, "attn.wo"), streams);
    q.norm2 = make_norm_quant(recipe, layer_name(l, "mlp_norm"), streams);
    q.w13 = nn::make_linear_quant(recipe, layer_name(l, "mlp.w13"), streams);
    q.w2 = nn::make_linear_quant(recipe, layer_name(l, "mlp.w2"), streams);
    q.saved = make_saved_quant(recipe, "layers." + std::to_string(l), kSavedCount, streams);
    lq_.push_back(std::move(q));
  }
  embed_q_ = nn::Quantizer(recipe.format_for("embed", "embed"), streams.seed, streams.take());
  final_q_ = make_norm_quant(recipe, "final_norm", streams);
  head_q_ = nn::make_linear_quant("head", recipe.format_for("head", "head"), Transform{}, streams);
  final_saved_ = make_saved_quant(recipe, "final_norm", 2, streams);
  k_lnf_.saved = &final_saved_.q[1];

  const int64_t D = C / cfg_.heads;
  rope_cos_.resize(cfg_.seq * D / 2);
  rope_sin_.resize(cfg_.seq * D / 2);
  nn::rope_table(rope_cos_.data(), rope_sin_.data(), cfg_.seq, D, kRopeTheta);
}

void LM::reserve(int B, int T) {
  if (B == B_ && T == T_) return;
  const int64_t N = int64_t{B} * T, C = cfg_.d_model, F = cfg_.ffn, V = cfg_.vocab, H = cfg_.heads,
                L = cfg_.layers;
  // Carves the buffers for this shape out of storage that only grows: alternating batch
  // shapes (train, validation) allocate nothing once warm. Every buffer is written before read.
  // Per layer: x, ln1, atty, x2, ln2 (N, C); rstd1, rstd2 (N); qkv (N, 3C); att (B, H, T, T);
  // h13 (N, 2F); sw (N, F). Then the final residual, lnf, tmp (N, C); rstdf, losses, lse (N);
  // logits (N, V).
  const int64_t per_layer = 5 * N * C + 2 * N + 3 * N * C + B * H * T * T + 3 * N * F;
  float* p = grow(acts_, L * per_layer + 3 * N * C + 3 * N + N * V);
  auto take = [&p](int64_t n) {
    float* out = p;
    p += n;
    return out;
  };
  la_.resize(L);
  for (int64_t l = 0; l < L; ++l) {
    LayerActs& a = la_[l];
    // The saved tensors' quantizers, for the copies kept of them.
    const SavedQuant& s = lq_[l].saved;
    a.k_ln1.saved = &s.q[kLn1];
    a.k_atty.saved = &s.q[kAtty];
    a.k_ln2.saved = &s.q[kLn2];
    a.k_sw.saved = &s.q[kSw];
    a.k_attn.saved_qkv = &s.q[kQkv];
    a.k_attn.saved_att = &s.q[kAtt];
    a.x = take(N * C);
    a.ln1 = take(N * C);
    a.rstd1 = take(N);
    a.qkv = take(3 * N * C);
    a.att = take(B * H * T * T);
    a.atty = take(N * C);
    a.x2 = take(N * C);
    a.ln2 = take(N * C);
    a.rstd2 = take(N);
    a.h13 = take(2 * N * F);
    a.sw = take(N * F);
  }
  xf_ = take(N * C);
  lnf_ = take(N * C);
  tmp_ = take(N * C);
  rstdf_ = take(N);
  losses_ = take(N);
  lse_ = take(N);
  logits_ = take(N * V);
  p = grow(grads_, 6 * N * C + 3 * N * F + N * V);
  dresid_ = take(N * C);
  dln_ = take(N * C);
  datty_ = take(N * C);
  dqkv_ = take(3 * N * C);
  dh13_ = take(2 * N * F);
  dsw_ = take(N * F);
  dlogits_ = take(N * V);
  inp_.resize(N);
  tgt_.resize(N);
  B_ = B;
  T_ = T;
}

double LM::step(const Batch& batch, bool backward, uint64_t step) {
  if (batch.B < 1 || batch.T < 1 || batch.T > cfg_.seq)
    fail("lm: batch needs B >= 1 and 1 <= T <= seq (" + std::to_string(cfg_.seq) + "), got B " +
         std::to_string(batch.B) + ", T " + std::to_string(batch.T));
  if (batch.tokens.size() != static_cast<size_t>(batch.B) * (batch.T + 1))
    fail("lm: batch tokens must hold B * (T + 1) = " +
         std::to_string(static_cast<int64_t>(batch.B) * (batch.T + 1)) + " tokens, got " +
         std::to_string(batch.tokens.size()));
  reserve(batch.B, batch.T);
  for (int b = 0; b < B_; ++b)
    for (int t = 0; t < T_; ++t) {
      inp_[b * T_ + t] = batch.tokens[b * (T_ + 1) + t];
      tgt_[b * T_ + t] = batch.tokens[b * (T_ + 1) + t + 1];
    }
  const double loss = forward(step);
  if (backward) this->backward(step);
  return loss;
}

double LM::forward(uint64_t step) {
  const int64_t B = B_, T = T_, N = B * T, C = cfg_.d_model, F = cfg_.ffn, V = cfg_.vocab,
                H = cfg_.heads;
  const float* table = store_.value(embed_);
  if (!embed_q_.identity()) {
    float* q = grow(embq_, V * C);
    nn::quantize_operand(embed_q_.along(Axis::row), {}, table, C, q, V, C, Axis::row,
                         nn::step_index_base(step));
    table = q;
  }
  nn::embedding_forward(la_[0].x, inp_.data(), table, N, C, V);
  for (int l = 0; l < cfg_.layers; ++l) {
    LayerActs& a = la_[l];
    const LayerQuant& q = lq_[l];
    const LayerParams& p = lp_[l];
    a.nx1 = q.norm1.input(a.x, N, C, step, a.qx1);
    a.ng1 = q.norm1.param(store_.value(p.attn_norm), C, step, a.qg1);
    nn::rmsnorm_forward(a.ln1, a.rstd1, a.nx1, a.ng1, N, C, kNormEps);
    nn::linear_forward(q.wqkv, a.qkv, a.ln1, store_.value(p.wqkv), nullptr, N, C, 3 * C, step,
                       &a.k_ln1);
    nn::rope_forward(a.qkv, rope_cos_.data(), rope_sin_.data(), B, T, C, H);
    nn::attention_forward(q.attn, a.atty, a.att, a.qkv, B, T, C, H, step, &a.k_attn);
    nn::linear_forward(q.wo, tmp_, a.atty, store_.value(p.wo), nullptr, N, C, C, step, &a.k_atty);
    nn::residual_forward(a.x2, a.x, tmp_, N * C);
    a.nx2 = q.norm2.input(a.x2, N, C, step, a.qx2);
    a.ng2 = q.norm2.param(store_.value(p.mlp_norm), C, step, a.qg2);
    nn::rmsnorm_forward(a.ln2, a.rstd2, a.nx2, a.ng2, N, C, kNormEps);
    nn::linear_forward(q.w13, a.h13, a.ln2, store_.value(p.w13), nullptr, N, C, 2 * F, step,
                       &a.k_ln2);
    nn::swiglu_forward(a.sw, a.h13, N, F);
    nn::linear_forward(q.w2, tmp_, a.sw, store_.value(p.w2), nullptr, N, F, C, step, &a.k_sw);
    float* next = l + 1 < cfg_.layers ? la_[l + 1].x : xf_;
    nn::residual_forward(next, a.x2, tmp_, N * C);
    // From here on the forward pass reads none of this layer's saved activations. Those that
    // backward reads only through the forward's kept copies are left as they are.
    const SavedQuant& s = q.saved;
    s.apply(kX, a.x, N, C, step);
    if (!a.k_ln1.ok) s.apply(kLn1, a.ln1, N, C, step);
    if (!a.k_attn.covers_qkv()) s.apply(kQkv, a.qkv, N, 3 * C, step);
    if (!a.k_attn.covers_att()) s.apply(kAtt, a.att, B * H * T, T, step);
    if (!a.k_atty.ok) s.apply(kAtty, a.atty, N, C, step);
    s.apply(kX2, a.x2, N, C, step);
    if (!a.k_ln2.ok) s.apply(kLn2, a.ln2, N, C, step);
    s.apply(kH13, a.h13, N, 2 * F, step);
    if (!a.k_sw.ok) s.apply(kSw, a.sw, N, F, step);
  }
  nxf_ = final_q_.input(xf_, N, C, step, fq_x_);
  ngf_ = final_q_.param(store_.value(final_norm_), C, step, fq_g_);
  nn::rmsnorm_forward(lnf_, rstdf_, nxf_, ngf_, N, C, kNormEps);
  nn::linear_forward(head_q_, logits_, lnf_, head_weight(), nullptr, N, C, V, step, &k_lnf_);
  final_saved_.apply(0, xf_, N, C, step);
  if (!k_lnf_.ok) final_saved_.apply(1, lnf_, N, C, step);
  return nn::crossentropy_forward(losses_, lse_, logits_, tgt_.data(), N, V);
}

void LM::backward(uint64_t step) {
  const int64_t B = B_, T = T_, N = B * T, C = cfg_.d_model, F = cfg_.ffn, V = cfg_.vocab,
                H = cfg_.heads;
  zero(dlogits_, N * V);
  nn::crossentropy_backward(dlogits_, logits_, lse_, tgt_.data(), N, V, 1.0f / N);
  zero(dln_, N * C);
  nn::linear_backward(head_q_, dln_, head_grad(), nullptr, dlogits_, lnf_, head_weight(), N, C, V,
                      step, &k_lnf_);
  zero(dresid_, N * C);
  nn::rmsnorm_backward(dresid_, store_.grad(final_norm_), dln_, nxf_, ngf_, rstdf_, N, C);
  for (int l = cfg_.layers - 1; l >= 0; --l) {
    const LayerActs& a = la_[l];
    const LayerQuant& q = lq_[l];
    const LayerParams& p = lp_[l];
    // dresid holds the gradient of this layer's output; the residual paths pass it through,
    // and each branch adds its contribution to it.
    zero(dsw_, N * F);
    nn::linear_backward(q.w2, dsw_, store_.grad(p.w2), nullptr, dresid_, a.sw, store_.value(p.w2),
                        N, F, C, step, &a.k_sw);
    zero(dh13_, 2 * N * F);
    nn::swiglu_backward(dh13_, dsw_, a.h13, N, F);
    zero(dln_, N * C);
    nn::linear_backward(q.w13, dln_, store_.grad(p.w13), nullptr, dh13_, a.ln2, store_.value(p.w13),
                        N, C, 2 * F, step, &a.k_ln2);
    nn::rmsnorm_backward(dresid_, store_.grad(p.mlp_norm), dln_, a.nx2, a.ng2, a.rstd2, N, C);
    zero(datty_, N * C);
    nn::linear_backward(q.wo, datty_, store_.grad(p.wo), nullptr, dresid_, a.atty,
                        store_.value(p.wo), N, C, C, step, &a.k_atty);
    zero(dqkv_, 3 * N * C);
    nn::attention_backward(q.attn, dqkv_, datty_, a.qkv, a.att, B, T, C, H, step, &a.k_attn);
    nn::rope_backward(dqkv_, rope_cos_.data(), rope_sin_.data(), B, T, C, H);
    zero(dln_, N * C);
    nn::linear_backward(q.wqkv, dln_, store_.grad(p.wqkv), nullptr, dqkv_, a.ln1,
                        store_.value(p.wqkv), N, C, 3 * C, step, &a.k_ln1);
    nn::rmsnorm_backward(dresid_, store_.grad(p.attn_norm), dln_, a.nx1, a.ng1, a.rstd1, N, C);
  }
  nn::embedding_backward(store_.grad(embed_), dresid_, inp_.data(), N, C);
}

}  // namespace lowp::models
