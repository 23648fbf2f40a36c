// GEMMs over fixed row blocks of C: oneDNN's sgemm for fp32, its bf16 matmul for the fast path.
#include "nn/gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/runtime.h"
#include "nn/counters.h"
#include "nn/vecmath.h"
#include "util/error.h"

namespace lowp::nn {
namespace {

std::atomic<bool> g_bf16_enabled{true};

// Rows of C per piece: a function of M alone (so of nothing a thread count changes), large
// enough that the library keeps its speed, small enough for 16 pieces on tall problems.
int64_t block_rows(int64_t M) {
  const int64_t per16 = (M + 15) / 16;
  return std::max<int64_t>(128, (per16 + 15) / 16 * 16);
}

// oneDNN parallelises with OpenMP by itself; here every piece is one single-threaded call, so
// each thread that calls it sets its OpenMP team size to 1 once.
void single_threaded_dnnl() {
  thread_local const bool once = (omp_set_num_threads(1), true);
  (void)once;
}

void check_dnnl(dnnl_status_t s, const char* what) {
  if (s != dnnl_success)
    fail(std::string("oneDNN ") + what + " failed with status " +
         std::to_string(static_cast<int>(s)));
}

void gemm_f32(int64_t M, int64_t N, int64_t K, float alpha, Mat A, Mat B, float beta, float* C,
              int64_t ldc) {
  gemm_caps();  // caps oneDNN's ISA before its first JIT
  const int64_t rows = block_rows(M);
  kernels::parallel_for((M + rows - 1) / rows, [&](int64_t blk) {
    single_threaded_dnnl();
    const int64_t r0 = blk * rows, m = std::min(rows, M - r0);
    const float* a = A.trans ? A.p + r0 : A.p + r0 * A.ld;
    check_dnnl(dnnl_sgemm(A.trans ? 'T' : 'N', B.trans ? 'T' : 'N', m, N, K, alpha, a, A.ld, B.p,
                          B.ld, beta, C + r0 * ldc, ldc),
               "sgemm");
  });
}

// ---- bf16 path -------------------------------------------------------------------------------

// Converts a stored rows x cols matrix to compact bf16 (truncation); returns false if any
// element is not exactly a bf16 value (some of its low 16 bits are set).
bool to_bf16(const float* x, int64_t ld, int64_t rows, int64_t cols, uint16_t* y) {
  std::atomic<uint32_t> low{0};
  const int64_t piece = std::max<int64_t>(1, 65536 / std::max<int64_t>(cols, 1));
  kernels::parallel_for((rows + piece - 1) / piece, [&](int64_t p) {
    uint32_t lost = 0;
    for (int64_t r = p * piece; r < std::min(rows, (p + 1) * piece); ++r)
      lost |= truncate_bf16(x + r * ld, y + r * cols, cols);
    if (lost) low.fetch_or(lost);
  });
  return low.load() == 0;
}

struct Key {
  int64_t M, N, K, lda, ldb, ldc;
  bool ta, tb;
  uint32_t alpha, beta;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    size_t h = 1469598103934665603ull;
    for (int64_t v : {k.M, k.N, k.K, k.lda, k.ldb, k.ldc, int64_t{k.ta}, int64_t{k.tb},
                      int64_t{k.alpha}, int64_t{k.beta}})
      h = (h ^ static_cast<size_t>(v)) * 1099511628211ull;
    return h;
  }
};

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// The bf16 matmul's descriptor for one shape and set of attributes; throws dnnl::error where
// the library has no implementation.
dnnl::matmul::primitive_desc bf16_desc(const Key& k) {
  using dims = dnnl::memory::dims;
  using dt = dnnl::memory::data_type;
  const dnnl::memory::desc a({k.M, k.K}, dt::bf16, k.ta ? dims{1, k.lda} : dims{k.lda, 1});
  const dnnl::memory::desc b({k.K, k.N}, dt::bf16, k.tb ? dims{1, k.ldb} : dims{k.ldb, 1});
  const dnnl::memory::desc c({k.M, k.N}, dt::f32, dims{k.ldc, 1});
  dnnl::primitive_attr attr;
  const float alpha = std::bit_cast<float>(k.alpha), beta = std::bit_cast<float>(k.beta);
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  if (beta != 0.0f) {
    dnnl::post_ops po;
    po.append_sum(beta);
    attr.set_post_ops(po);
  }
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), attr, engine());
}

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

// LOWP_MAX_ISA caps oneDNN as it caps Highway, unless oneDNN's own ONEDNN_MAX_CPU_ISA is set.
void cap_dnnl_isa() {
  const std::string cap = kernels::max_isa();
  if (cap.empty() || std::getenv("ONEDNN_MAX_CPU_ISA") || std::getenv("DNNL_MAX_CPU_ISA")) return;
  const dnnl::cpu_isa isa = cap == "AVX3_DL" || cap == "AVX3" ? dnnl::cpu_isa::avx512_core_vnni
                            : cap == "AVX2"                   ? dnnl::cpu_isa::avx2
                                                              : dnnl::cpu_isa::sse41;
  if (dnnl::set_max_cpu_isa(isa) != dnnl::status::success)
    fail("LOWP_MAX_ISA=" + cap +
         ": oneDNN refused to cap its instruction set (it was used before)");
}

GemmCaps probe() {
  cap_dnnl_isa();
  GemmCaps c;
  c.isa = isa_name(dnnl::get_effective_cpu_isa());
  // The attributes every bf16 GEMM may carry: an output scale and a sum post-op.
  const Key k{64,
              64,
              64,
              64,
              64,
              64,
              false,
              true,
              std::bit_cast<uint32_t>(0.5f),
              std::bit_cast<uint32_t>(1.0f)};
  try {
    const dnnl::matmul::primitive_desc pd = bf16_desc(k);
    c.bf16_impl = pd.impl_info_str();
    // A reference implementation computes in plain C++: correct but far slower than fp32.
    c.bf16 = c.bf16_impl.rfind("ref", 0) != 0;
  } catch (const dnnl::error& e) {
    c.bf16_impl = e.what();
  }
  return c;
}

// One matmul primitive per shape and thread (primitives are built once, then reused).
const dnnl::matmul& primitive(const Key& k) {
  thread_local std::unordered_map<Key, dnnl::matmul, KeyHash> cache;
  auto it = cache.find(k);
  if (it != cache.end()) return it->second;
  return cache.emplace(k, dnnl::matmul(bf16_desc(k))).first->second;
}

void gemm_bf16_blocks(int64_t M, int64_t N, int64_t K, float alpha, Mat16 A, Mat16 B, float beta,
                      float* C, int64_t ldc) {
  const int64_t rows = block_rows(M);
  const int64_t lda = A.ld, ldb = B.ld;
  const bool ta = A.trans, tb = B.trans;
  const uint16_t *a = A.p, *b = B.p;
  kernels::parallel_for((M + rows - 1) / rows, [&](int64_t blk) {
    single_threaded_dnnl();
    thread_local dnnl::stream stream(engine());
    const int64_t r0 = blk * rows, m = std::min(rows, M - r0);
    const Key key{m,
                  N,
                  K,
                  lda,
                  ldb,
                  ldc,
                  ta,
                  tb,
                  std::bit_cast<uint32_t>(alpha),
                  std::bit_cast<uint32_t>(beta)};
    const dnnl::matmul& mm = primitive(key);
    using dims = dnnl::memory::dims;
    using dt = dnnl::memory::data_type;
    const dnnl::memory::desc amd({m, K}, dt::bf16, ta ? dims{1, lda} : dims{lda, 1});
    const dnnl::memory::desc bmd({K, N}, dt::bf16, tb ? dims{1, ldb} : dims{ldb, 1});
    const dnnl::memory::desc cmd({m, N}, dt::f32, dims{ldc, 1});
    dnnl::memory am(amd, engine(), const_cast<uint16_t*>(ta ? a + r0 : a + r0 * lda));
    dnnl::memory bm(bmd, engine(), const_cast<uint16_t*>(b));
    dnnl::memory cm(cmd, engine(), C + r0 * ldc);
    mm.execute(stream, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    stream.wait();
  });
}

GemmPath run_gemm(int64_t M, int64_t N, int64_t K, float alpha, Mat A, Mat B, float beta, float* C,
                  int64_t ldc, GemmPath path) {
  if (K <= 0) {
    for (int64_t r = 0; r < M; ++r)
      for (int64_t c = 0; c < N; ++c) C[r * ldc + c] = beta == 0.0f ? 0.0f : beta * C[r * ldc + c];
    return GemmPath::fp32;
  }
  if (path == GemmPath::bf16 && bf16_gemm_enabled()) {
    // Compact bf16 copies, kept per thread and grown only when a larger GEMM comes.
    thread_local std::vector<uint16_t> a16, b16;
    if (a16.size() < static_cast<size_t>(M * K)) a16.resize(M * K);
    if (b16.size() < static_cast<size_t>(K * N)) b16.resize(K * N);
    const bool exact = to_bf16(A.p, A.ld, A.trans ? K : M, A.trans ? M : K, a16.data()) &&
                       to_bf16(B.p, B.ld, B.trans ? N : K, B.trans ? K : N, b16.data());
    if (exact) {
      gemm_bf16_blocks(M, N, K, alpha, Mat16{a16.data(), A.trans ? M : K, A.trans},
                       Mat16{b16.data(), B.trans ? K : N, B.trans}, beta, C, ldc);
      return GemmPath::bf16;
    }
  }
  gemm_f32(M, N, K, alpha, A, B, beta, C, ldc);
  return GemmPath::fp32;
}

}  // namespace

LOWP_CLONES uint32_t truncate_bf16(const float* __restrict x, uint16_t* __restrict y, int64_t n) {
  uint32_t lost = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t u = std::bit_cast<uint32_t>(x[i]);
    lost |= u & 0xFFFFu;
    y[i] = static_cast<uint16_t>(u >> 16);
  }
  return lost;
}

LOWP_CLONES uint32_t truncate_bf16_finite(const float* __restrict x, uint16_t* __restrict y,
                                          int64_t n) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t u = std::bit_cast<uint32_t>(x[i]);
    bad |= (u & 0xFFFFu) | static_cast<uint32_t>((u & 0x7F800000u) == 0x7F800000u);
    y[i] = static_cast<uint16_t>(u >> 16);
  }
  return bad;
}

LOWP_CLONES uint32_t round_bf16_finite(const float* __restrict x, uint16_t* __restrict y,
                                       int64_t n) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t u = std::bit_cast<uint32_t>(x[i]);
    // From |x| = 0x7F7F8000 (the tie above bf16's max, which rounds to even: up) on, the
    // result is inf, or the input was inf or NaN.
    bad |= static_cast<uint32_t>(static_cast<int32_t>(u & 0x7FFFFFFFu) > 0x7F7F7FFF);
    // Adding 0x7FFF plus the kept lsb carries into the kept half exactly when the dropped half
    // is above the tie, or at it with an odd kept half; the encoding is monotone, so this holds
    // across the subnormal boundary.
    y[i] = static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
  }
  return bad;
}

void gemm_bf16(int64_t M, int64_t N, int64_t K, float alpha, Mat16 A, Mat16 B, float beta, float* C,
               int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    run_gemm(M, N, K, alpha, Mat{}, Mat{}, beta, C, ldc, GemmPath::fp32);
    return;
  }
  if (!bf16_gemm_enabled()) {
    // bf16 values widen exactly: the fp32 path gives the same products.
    thread_local std::vector<float> a32, b32;
    const int64_t na = ((A.trans ? K : M) - 1) * A.ld + (A.trans ? M : K);
    const int64_t nb = ((B.trans ? N : K) - 1) * B.ld + (B.trans ? K : N);
    gemm(M, N, K, alpha, widen(A, na, a32), widen(B, nb, b32), beta, C, ldc, GemmPath::fp32);
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  gemm_bf16_blocks(M, N, K, alpha, A, B, beta, C, ldc);
  count_gemm(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      2.0 * M * N * K, true);
}

Mat widen(Mat16 m, int64_t n, std::vector<float>& buf) {
  if (buf.size() < static_cast<size_t>(n)) buf.resize(n);
  widen_bf16(m.p, buf.data(), n);
  return Mat{buf.data(), m.ld, m.trans};
}

void set_bf16_gemm(bool enabled) {
  g_bf16_enabled = enabled;
}
bool bf16_gemm_enabled() {
  return g_bf16_enabled && gemm_caps().bf16;
}

const GemmCaps& gemm_caps() {
  static const GemmCaps caps = probe();
  return caps;
}

GemmPath gemm(int64_t M, int64_t N, int64_t K, float alpha, Mat A, Mat B, float beta, float* C,
              int64_t ldc, GemmPath path) {
  if (M <= 0 || N <= 0) return GemmPath::fp32;
  const auto t0 = std::chrono::steady_clock::now();
  const GemmPath ran = run_gemm(M, N, K, alpha, A, B, beta, C, ldc, path);
  count_gemm(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
          .count(),
      2.0 * M * N * K, ran == GemmPath::bf16);
  return ran;
}

}  // namespace lowp::nn
