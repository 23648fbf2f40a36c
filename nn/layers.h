// Element-wise and row-wise layers: embedding, SwiGLU, GELU, residual, losses.
#pragma once

#include <cstdint>

namespace lowp::nn {

// Dimensions: N rows (tokens or samples), C channels, F hidden units, V vocabulary.

// out (N, C) = table (V, C) [tokens (N)]. Throws lowp::Error on a token outside [0, V).
void embedding_forward(float* out, const int32_t* tokens, const float* table, int64_t N, int64_t C,
                       int64_t V);
// dtable (V, C) += dout rows scattered to their tokens.
void embedding_backward(float* dtable, const float* dout, const int32_t* tokens, int64_t N,
                        int64_t C);

// out (N, F) = silu(h[:, :F]) * h[:, F:], h (N, 2F) = [gate | up], silu(a) = a * sigmoid(a).
void swiglu_forward(float* out, const float* h, int64_t N, int64_t F);
// dh (N, 2F) += ...
void swiglu_backward(float* dh, const float* dout, const float* h, int64_t N, int64_t F);

// out (n) = gelu(x) = x * Phi(x) (the exact, erf-based GELU).
void gelu_forward(float* out, const float* x, int64_t n);
// dx (n) += dout * gelu'(x)
void gelu_backward(float* dx, const float* dout, const float* x, int64_t n);

// out (n) = a + b
void residual_forward(float* out, const float* a, const float* b, int64_t n);
// da (n) += dout, db (n) += dout
void residual_backward(float* da, float* db, const float* dout, int64_t n);

// Softmax cross-entropy. losses (N) = logsumexp(logits[n]) - logits[n, targets[n]];
// lse (N) saved. Returns the mean loss. logits (N, V). Throws on a target outside [0, V).
double crossentropy_forward(float* losses, float* lse, const float* logits, const int32_t* targets,
                            int64_t N, int64_t V);
// dlogits (N, V) += (softmax(logits) - onehot(target)) * dloss, for loss = dloss * sum(losses).
void crossentropy_backward(float* dlogits, const float* logits, const float* lse,
                           const int32_t* targets, int64_t N, int64_t V, float dloss);

// Mean squared error over n values: mean((pred - y)^2).
double mse_forward(const float* pred, const float* y, int64_t n);
// dpred (n) += 2 (pred - y) / n
void mse_backward(float* dpred, const float* pred, const float* y, int64_t n);

// Logistic loss over n logits z with labels y in {0, 1}: mean(log(1 + e^z) - y z).
double logistic_forward(const float* z, const float* y, int64_t n);
// dz (n) += (sigmoid(z) - y) / n
void logistic_backward(float* dz, const float* z, const float* y, int64_t n);

}  // namespace lowp::nn
