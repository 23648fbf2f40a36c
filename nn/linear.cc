// Linear forward/backward over quantized GEMM sites.
#include "nn/linear.h"

#include <vector>

#include "kernels/parallel.h"

namespace lowp::nn {

LinearQuant make_linear_quant(const Recipe& r, const std::string& layer, Streams& streams) {
  return {make_site(r, layer, "fwd", "fwd.x", "fwd.w", "fwd", streams),
          make_site(r, layer, "dgrad", "dgrad.dy", "dgrad.w", "dgrad", streams),
          make_site(r, layer, "wgrad", "wgrad.dy", "wgrad.x", "wgrad", streams)};
}

LinearQuant make_linear_quant(const std::string& layer, std::string_view format, const Transform& t,
                              Streams& streams) {
  return {make_site(layer, "fwd", "fwd.x", format, "fwd.w", format, t, streams),
          make_site(layer, "dgrad", "dgrad.dy", format, "dgrad.w", format, t, streams),
          make_site(layer, "wgrad", "wgrad.dy", format, "wgrad.x", format, t, streams)};
}

void linear_forward(const LinearQuant& q, float* y, const float* x, const float* w, const float* b,
                    int64_t M, int64_t K, int64_t N, uint64_t step, LinearKeep* keep) {
  const Mat xm{x, K, false}, wm{w, K, true};
  ReadyOperand kept{};
  if (keep) {
    keep->ok = false;
    if (keep->saved && copy_serves(q.fwd, q.fwd.a, *keep->saved, q.wgrad, q.wgrad.b)) {
      if (keep->x.size() < static_cast<size_t>(M * K)) keep->x.resize(M * K);
      keep->ok = prepare_operand_bf16(q.fwd.a, Hadamard{}, xm, M, K, true, step_index_base(step),
                                      keep->x.data(), &kept.bf16);
    }
  }
  qgemm(q.fwd, M, N, K, 1.0f, xm, wm, 0.0f, y, N, step, keep && keep->ok ? &kept : nullptr);
  if (!b) return;
  kernels::parallel_for((M + 63) / 64, [&](int64_t p) {
    for (int64_t m = p * 64; m < std::min(M, (p + 1) * 64); ++m)
      for (int64_t n = 0; n < N; ++n) y[m * N + n] += b[n];
  });
}

void linear_backward(const LinearQuant& q, float* dx, float* dw, float* db, const float* dy,
                     const float* x, const float* w, int64_t M, int64_t K, int64_t N, uint64_t step,
                     const LinearKeep* keep) {
  // Both GEMMs read dY; when their quantizers agree on it (element-wise formats: the bf16
  // and per-tensor FP8 recipes) it is quantized once. (dY is the largest operand of most
  // linears: the bf16 recipe's quantization time falls by about a third.) Two-level formats
  // have blocks, so same_values_any_axis never shares them.
  ReadyOperand shared{}, shared_t{};
  const bool share = dx && !q.dgrad.h.active() && !q.wgrad.h.active() &&
                     same_values_any_axis(q.dgrad.a, q.wgrad.a);
  if (share) {
    // One copy for both: bf16 bits when both GEMMs run fused, else fp32 values.
    thread_local std::vector<float> qdy;
    thread_local std::vector<uint16_t> hdy;
    const Mat dym{dy, N, false};
    const uint64_t base = step_index_base(step);
    if (fused_bf16(q.dgrad) && fused_bf16(q.wgrad) &&
        prepare_operand_bf16(q.dgrad.a, Hadamard{}, dym, M, N, true, base, hdy, &shared.bf16)) {
      shared_t.bf16 = Mat16{shared.bf16.p, shared.bf16.ld, true};
    } else {
      shared.bf16 = Mat16{};
      shared.f32 = prepare_operand(q.dgrad.a, Hadamard{}, dym, M, N, true, base, qdy);
      shared_t.f32 = Mat{shared.f32.p, shared.f32.ld, true};
    }
  }
  if (dx)
    qgemm(q.dgrad, M, K, N, 1.0f, Mat{dy, N, false}, Mat{w, K, false}, 1.0f, dx, K, step,
          share ? &shared : nullptr);
  const Mat16 x16{keep && keep->ok ? keep->x.data() : nullptr, K, false};
  qgemm(q.wgrad, N, K, M, 1.0f, Mat{dy, N, true}, Mat{x, K, false}, 1.0f, dw, K, step,
        share ? &shared_t : nullptr, x16.p ? &x16 : nullptr);
  if (!db) return;
  // Column sums over fixed pieces of 64 columns; each sum runs over rows in order.
  kernels::parallel_for((N + 63) / 64, [&](int64_t p) {
    const int64_t n0 = p * 64, n1 = std::min(N, n0 + 64);
    float acc[64] = {};
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = n0; n < n1; ++n) acc[n - n0] += dy[m * N + n];
    for (int64_t n = n0; n < n1; ++n) db[n] += acc[n - n0];
  });
}

}  // namespace lowp::nn
