// Quantized GEMM sites: building them from a recipe, preparing operands, observing them.
#include "nn/qgemm.h"

#include <bit>
#include <cmath>
#include <mutex>

#include "nn/vecmath.h"
#include "util/error.h"

namespace lowp::nn {
namespace {

std::mutex g_tap_m;
std::function<void(const GemmRecord&)> g_tap;
bool g_tap_set = false;

Axis reduction_axis(bool lhs, bool trans) {
  return lhs != trans ? Axis::row : Axis::col;
}

Hadamard make_hadamard(const Transform& t, Streams& streams) {
  Hadamard h;
  h.n = t.hadamard;
  h.random_signs = t.random_signs;
  h.seed = mix64(streams.seed ^ 0x4861646Dull /* "Hadm" */);
  h.stream = streams.take();
  return h;
}

}  // namespace

Hadamard GemmSite::transform_at(uint64_t step) const {
  Hadamard t = h;
  if (new_signs_each_step) t.sign_base = step << 32;  // reduction axes are shorter than 2^32
  return t;
}

GemmSite make_site(std::string layer, const char* gemm, const char* slot_a,
                   std::string_view format_a, const char* slot_b, std::string_view format_b,
                   const Transform& t, Streams& streams) {
  GemmSite s;
  s.layer = std::move(layer);
  s.gemm = gemm;
  s.slot_a = slot_a;
  s.slot_b = slot_b;
  try {
    s.a = Quantizer(format_a, streams.seed, streams.take());
    s.b = Quantizer(format_b, streams.seed, streams.take());
  } catch (const Error& e) {
    fail("layer " + s.layer + ", GEMM " + gemm + ": " + e.what());
  }
  s.h = make_hadamard(t, streams);
  s.new_signs_each_step = t.new_signs_each_step;
  return s;
}

GemmSite make_site(const Recipe& r, std::string layer, const char* gemm, const char* slot_a,
                   const char* slot_b, std::string_view transform_key, Streams& streams) {
  const auto it = r.transforms.find(std::string(transform_key));
  const Transform t = it == r.transforms.end() ? Transform{} : it->second;
  const std::string fa = r.format_for(layer, slot_a), fb = r.format_for(layer, slot_b);
  return make_site(std::move(layer), gemm, slot_a, fa, slot_b, fb, t, streams);
}

Mat prepare_operand(const Quantizer& q, const Hadamard& h, Mat x, int64_t rows, int64_t cols,
                    bool lhs, uint64_t index_base, std::vector<float>& buf, float* tensor_g) {
  if (tensor_g) *tensor_g = 1.0f;
  if (q.identity() && !h.active()) return x;
  if (buf.size() < static_cast<size_t>(rows * cols)) buf.resize(rows * cols);
  const Axis red = reduction_axis(lhs, x.trans);
  quantize_operand(q.along(red), h, x.p, x.ld, buf.data(), rows, cols, red, index_base, tensor_g);
  return Mat{buf.data(), cols, x.trans};
}

bool fused_bf16(const GemmSite& s) {
  return bf16_gemm_enabled() && s.a.bf16_exact() && s.b.bf16_exact();
}

bool copy_serves(const GemmSite& f, const Quantizer& fq, const Quantizer& saved, const GemmSite& b,
                 const Quantizer& bq) {
  return fused_bf16(f) && fused_bf16(b) && !f.h.active() && !b.h.active() &&
         same_values_through(fq, saved, bq);
}

bool prepare_operand_bf16(const Quantizer& q, const Hadamard& h, Mat x, int64_t rows, int64_t cols,
                          bool lhs, uint64_t index_base, uint16_t* dst, Mat16* out) {
  const Axis red = reduction_axis(lhs, x.trans);
  *out = Mat16{dst, cols, x.trans};
  return quantize_operand_bf16(q.along(red), h, x.p, x.ld, dst, rows, cols, red, index_base);
}

bool prepare_operand_bf16(const Quantizer& q, const Hadamard& h, Mat x, int64_t rows, int64_t cols,
                          bool lhs, uint64_t index_base, std::vector<uint16_t>& buf, Mat16* out) {
  if (buf.size() < static_cast<size_t>(rows * cols)) buf.resize(rows * cols);
  return prepare_operand_bf16(q, h, x, rows, cols, lhs, index_base, buf.data(), out);
}

OperandRecord record(const char* slot, const Quantizer& q, const Hadamard& h, Mat x, Mat q_out,
                     int64_t rows, int64_t cols, bool lhs, uint64_t index_base) {
  OperandRecord o;
  o.slot = slot;
  o.reduction = reduction_axis(lhs, x.trans);
  o.format = &q.along(o.reduction);
  o.transform = h;
  o.raw = x;
  o.quantized = q_out;
  o.rows = rows;
  o.cols = cols;
  o.index_base = index_base;
  return o;
}

namespace {

// The fp32 values of a compact bf16 operand times g, for the tap.
Mat widen_scaled(Mat16 m, int64_t n, float g, std::vector<float>& buf) {
  const Mat w = widen(m, n, buf);
  for (int64_t i = 0; i < n; ++i) buf[i] *= g;
  return w;
}

void tap(const GemmSite& s, int64_t M, int64_t N, int64_t K, const Hadamard& h, uint64_t base,
         Mat A, Mat a, Mat B, Mat b, GemmPath ran) {
  const int64_t ar = A.trans ? K : M, ac = A.trans ? M : K;
  const int64_t br = B.trans ? N : K, bc = B.trans ? K : N;
  GemmRecord r;
  r.layer = s.layer;
  r.gemm = s.gemm;
  r.M = M;
  r.N = N;
  r.K = K;
  r.a = record(s.slot_a, s.a, h, A, a, ar, ac, true, base);
  r.b = record(s.slot_b, s.b, h, B, b, br, bc, false, base);
  r.path = ran;
  emit(r);
}

}  // namespace

void qgemm(const GemmSite& s, int64_t M, int64_t N, int64_t K, float alpha, Mat A, Mat B,
           float beta, float* C, int64_t ldc, uint64_t step, const ReadyOperand* a_ready,
           const Mat16* b_ready) {
  // Quantized copies, per thread, grown only when a larger operand comes; fa, fb: the bf16
  // factors of two-level operands; ha, hb: bf16 copies of a fused site.
  thread_local std::vector<float> qa, qb, fa, fb;
  thread_local std::vector<uint16_t> ha, hb;
  const Hadamard h = s.transform_at(step);
  const uint64_t base = step_index_base(step);
  const int64_t ar = A.trans ? K : M, ac = A.trans ? M : K;
  const int64_t br = B.trans ? N : K, bc = B.trans ? K : N;
  const auto bf16_ok = [](const Quantizer& q) { return q.bf16_exact() || q.bf16_factored(); };
  if (bf16_gemm_enabled() && bf16_ok(s.a) && bf16_ok(s.b) && (!a_ready || a_ready->bf16.p)) {
    // Both operands to bf16 storage: exact formats straight from the quantizer (one pass, no
    // fp32 copy), two-level ones (g * v) through their fp32 values and one factor pass, their
    // tensor scales applied to C.
    float scale = alpha;
    const auto to16 = [&](const Quantizer& q, Mat X, int64_t rows, int64_t cols, bool lhs,
                          std::vector<float>& vbuf, std::vector<uint16_t>& hbuf, Mat16* out,
                          Mat* values) {
      if (q.bf16_exact()) return prepare_operand_bf16(q, h, X, rows, cols, lhs, base, hbuf, out);
      if (hbuf.size() < static_cast<size_t>(rows * cols)) hbuf.resize(rows * cols);
      *out = Mat16{hbuf.data(), cols, X.trans};
      const Axis red = reduction_axis(lhs, X.trans);
      float g = 1.0f;
      const bool ok = quantize_operand_bf16_factored(q.along(red), h, X.p, X.ld, hbuf.data(), rows,
                                                     cols, red, base, &g);
      scale *= g;
      // The tap sees the fp32 values g * v (factoring checked fl(v * g) gives each back).
      if (ok && gemm_tap_active()) *values = widen_scaled(*out, rows * cols, g, vbuf);
      return ok;
    };
    Mat16 a16, b16;
    Mat av{}, bv{};  // the fp32 values of two-level operands
    bool ok = true;
    if (a_ready)
      a16 = a_ready->bf16;
    else
      ok = to16(s.a, A, ar, ac, true, qa, ha, &a16, &av);
    if (b_ready && s.b.bf16_exact())
      b16 = *b_ready;
    else
      ok = ok && to16(s.b, B, br, bc, false, qb, hb, &b16, &bv);
    if (ok && (scale == alpha || std::isnormal(scale))) {
      gemm_bf16(M, N, K, scale, a16, b16, beta, C, ldc);
      if (gemm_tap_active()) {
        thread_local std::vector<float> wa, wb;
        tap(s, M, N, K, h, base, A, av.p ? av : widen(a16, ar * ac, wa), B,
            bv.p ? bv : widen(b16, br * bc, wb), GemmPath::bf16);
      }
      return;
    }
  }
  float ga = 1.0f, gb = 1.0f;
  const Mat a = a_ready && a_ready->f32.p ? a_ready->f32
                                          : prepare_operand(s.a, h, A, ar, ac, true, base, qa, &ga);
  const Mat b = prepare_operand(s.b, h, B, br, bc, false, base, qb, &gb);
  // Two-level operands (g * v, v in bf16) multiply their v in bf16 and scale C by ga * gb;
  // without a bf16 matmul that factoring would be a wasted pass over both operands.
  GemmPath path =
      bf16_gemm_enabled() && bf16_ok(s.a) && bf16_ok(s.b) ? GemmPath::bf16 : GemmPath::fp32;
  Mat ma = a, mb = b;
  float scale = alpha;
  const auto factor = [&](const Quantizer& q, Mat m, int64_t n, float g, std::vector<float>& f,
                          Mat* out) {
    if (path != GemmPath::bf16 || !q.bf16_factored()) return;
    if (f.size() < static_cast<size_t>(n)) f.resize(n);
    if (!factor_tensor_scale(m.p, n, g, f.data())) {
      path = GemmPath::fp32;
      return;
    }
    *out = Mat{f.data(), m.ld, m.trans};
    scale *= g;
  };
  factor(s.a, a, ar * ac, ga, fa, &ma);
  factor(s.b, b, br * bc, gb, fb, &mb);
  if (path == GemmPath::bf16 && scale != alpha && !std::isnormal(scale)) path = GemmPath::fp32;
  if (path == GemmPath::fp32) ma = a, mb = b, scale = alpha;
  const GemmPath ran = gemm(M, N, K, scale, ma, mb, beta, C, ldc, path);
  if (gemm_tap_active()) tap(s, M, N, K, h, base, A, a, B, b, ran);
}

void set_gemm_tap(std::function<void(const GemmRecord&)> tap) {
  std::lock_guard<std::mutex> lock(g_tap_m);
  g_tap = std::move(tap);
  g_tap_set = static_cast<bool>(g_tap);
}

bool gemm_tap_active() {
  std::lock_guard<std::mutex> lock(g_tap_m);
  return g_tap_set;
}

void emit(const GemmRecord& r) {
  std::lock_guard<std::mutex> lock(g_tap_m);
  if (g_tap) g_tap(r);
}

}  // namespace lowp::nn
