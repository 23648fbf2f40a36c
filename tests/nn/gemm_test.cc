// GEMMs: fp32 against a double reference, the bf16 path against fp32 on quantized operands,
// the fallback on inexact operands, and bit-identical results for every thread count.
#include "nn/gemm.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/runtime.h"
#include "nn/quantizer.h"
#include "reference.h"

namespace lowp::test {
namespace {

struct Problem {
  int64_t M, N, K;
  bool ta, tb;
  std::vector<float> A, B;
  nn::Mat a() const { return {A.data(), ta ? M : K, ta}; }
  nn::Mat b() const { return {B.data(), tb ? K : N, tb}; }
  double at_a(int64_t m, int64_t k) const { return ta ? A[k * M + m] : A[m * K + k]; }
  double at_b(int64_t k, int64_t n) const { return tb ? B[n * K + k] : B[k * N + n]; }
};

Problem make_problem(int64_t M, int64_t N, int64_t K, bool ta, bool tb, uint32_t stream) {
  Problem p{M,
            N,
            K,
            ta,
            tb,
            to_float(random_vec(M * K, stream)),
            to_float(random_vec(K * N, stream + 1))};
  return p;
}

// The path a bf16-path GEMM of exact operands takes on this machine.
nn::GemmPath bf16_path() {
  return nn::bf16_gemm_enabled() ? nn::GemmPath::bf16 : nn::GemmPath::fp32;
}

// Quantizes both operands in place with `format` (blocks along K, as a GEMM site would).
void quantize(Problem& p, const std::string& format) {
  const nn::Quantizer q(format, 1, 1);
  const nn::Hadamard none;
  std::vector<float> tmp(p.A.size());
  const Axis ra = p.ta ? Axis::col : Axis::row, rb = p.tb ? Axis::row : Axis::col;
  const int64_t ar = p.ta ? p.K : p.M, ac = p.ta ? p.M : p.K;
  nn::quantize_operand(q.along(ra), none, p.A.data(), ac, tmp.data(), ar, ac, ra, 0);
  p.A = tmp;
  tmp.resize(p.B.size());
  const int64_t br = p.tb ? p.N : p.K, bc = p.tb ? p.K : p.N;
  nn::quantize_operand(q.along(rb), none, p.B.data(), bc, tmp.data(), br, bc, rb, 1 << 20);
  p.B = tmp;
}

double gamma(int64_t n) {
  return n * kU / (1 - n * kU);
}

TEST(Gemm, Fp32MatchesDoubleReferenceInEveryLayout) {
  for (const bool ta : {false, true})
    for (const bool tb : {false, true})
      for (const float beta : {0.0f, 1.0f}) {
        // M = 300 spans three row blocks of C.
        const Problem p = make_problem(300, 37, 19, ta, tb, 30);
        std::vector<float> C(p.M * p.N, 0.5f);
        nn::gemm(p.M, p.N, p.K, 0.75f, p.a(), p.b(), beta, C.data(), p.N);
        for (int64_t m = 0; m < p.M; ++m)
          for (int64_t n = 0; n < p.N; ++n) {
            double ref = beta * 0.5, mag = std::fabs(ref);
            for (int64_t k = 0; k < p.K; ++k) {
              ref += 0.75 * p.at_a(m, k) * p.at_b(k, n);
              mag += std::fabs(0.75 * p.at_a(m, k) * p.at_b(k, n));
            }
            ASSERT_LE(std::fabs(C[m * p.N + n] - ref), gamma(p.K + 2) * mag)
                << "ta=" << ta << " tb=" << tb << " beta=" << beta << " at " << m << "," << n;
          }
      }
}

// Both paths compute the same exact products; each sum is within gamma_K * sum |a b| of the
// exact sum, so they differ by at most twice that.
TEST(Gemm, Bf16PathEqualsFp32UpToSummationOrder) {
  for (const char* format : {"bf16", "mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp4", "e4m3",
                             "mxint8", "nvfp4:levels=1"})
    for (const bool ta : {false, true})
      for (const bool tb : {false, true}) {
        Problem p = make_problem(300, 64, 96, ta, tb, 40);
        quantize(p, format);
        std::vector<float> c16(p.M * p.N, 1.0f), c32 = c16;
        ASSERT_EQ(
            nn::gemm(p.M, p.N, p.K, 0.5f, p.a(), p.b(), 1.0f, c16.data(), p.N, nn::GemmPath::bf16),
            bf16_path())
            << format << ": quantized operands must take the bf16 path where it exists";
        nn::gemm(p.M, p.N, p.K, 0.5f, p.a(), p.b(), 1.0f, c32.data(), p.N, nn::GemmPath::fp32);
        for (int64_t m = 0; m < p.M; ++m)
          for (int64_t n = 0; n < p.N; ++n) {
            double mag = 1.0;
            for (int64_t k = 0; k < p.K; ++k) mag += 0.5 * std::fabs(p.at_a(m, k) * p.at_b(k, n));
            ASSERT_LE(std::fabs(c16[m * p.N + n] - c32[m * p.N + n]), 2 * gamma(p.K + 1) * mag)
                << format << " ta=" << ta << " tb=" << tb << " at " << m << "," << n;
          }
      }
}

TEST(Gemm, Bf16PathFallsBackToFp32OnInexactOperands) {
  Problem p = make_problem(200, 33, 40, false, true, 50);  // plain fp32 values
  std::vector<float> c1(p.M * p.N), c2(p.M * p.N);
  EXPECT_EQ(nn::gemm(p.M, p.N, p.K, 1.0f, p.a(), p.b(), 0.0f, c1.data(), p.N, nn::GemmPath::bf16),
            nn::GemmPath::fp32);
  nn::gemm(p.M, p.N, p.K, 1.0f, p.a(), p.b(), 0.0f, c2.data(), p.N);
  EXPECT_EQ(0, std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)));
  quantize(p, "mxfp8_e4m3");
  nn::set_bf16_gemm(false);
  EXPECT_EQ(nn::gemm(p.M, p.N, p.K, 1.0f, p.a(), p.b(), 0.0f, c1.data(), p.N, nn::GemmPath::bf16),
            nn::GemmPath::fp32);
  nn::set_bf16_gemm(true);
}

// oneDNN would otherwise start its own OpenMP team (thread-count-dependent bits, spinning).
TEST(Gemm, OneDnnRunsSingleThreadedInsideOurPieces) {
  const Problem p = make_problem(8, 8, 8, false, false, 55);
  std::vector<float> c(64);
  nn::gemm(8, 8, 8, 1.0f, p.a(), p.b(), 0.0f, c.data(), 8);
  EXPECT_EQ(omp_get_max_threads(), 1);
}

TEST(Gemm, BitsDoNotDependOnTheThreadCount) {
  for (const nn::GemmPath path : {nn::GemmPath::fp32, nn::GemmPath::bf16}) {
    Problem p = make_problem(1000, 96, 160, false, true, 60);
    if (path == nn::GemmPath::bf16) quantize(p, "mxfp8_e4m3");
    std::vector<std::vector<float>> out;
    for (const int threads : {1, 2, 3}) {
      kernels::set_num_threads(threads);
      out.emplace_back(p.M * p.N);
      ASSERT_EQ(nn::gemm(p.M, p.N, p.K, 1.0f, p.a(), p.b(), 0.0f, out.back().data(), p.N, path),
                path == nn::GemmPath::bf16 ? bf16_path() : path);
    }
    kernels::set_num_threads(1);
    for (size_t i = 1; i < out.size(); ++i)
      EXPECT_EQ(0, std::memcmp(out[0].data(), out[i].data(), out[0].size() * sizeof(float)))
          << "path " << static_cast<int>(path) << ", thread count #" << i;
  }
}

// gemm_bf16 reads operands already in bf16 (strided here): with a bf16 matmul, the fp32 GEMM's
// products in another order; without one, it widens them and gives the fp32 GEMM's bits.
TEST(Gemm, Bf16OperandsGiveTheFp32ProductsOnEitherPath) {
  for (const bool ta : {false, true})
    for (const bool tb : {false, true}) {
      Problem p = make_problem(200, 48, 64, ta, tb, 70);
      quantize(p, "mxfp8_e4m3");
      // bf16 copies with two spare columns per stored row.
      const auto to16 = [](const std::vector<float>& x, int64_t rows, int64_t cols) {
        std::vector<uint16_t> y(rows * (cols + 2), 0x7FC0);
        for (int64_t r = 0; r < rows; ++r)
          nn::truncate_bf16(x.data() + r * cols, y.data() + r * (cols + 2), cols);
        return y;
      };
      const int64_t ar = ta ? p.K : p.M, ac = ta ? p.M : p.K;
      const int64_t br = tb ? p.N : p.K, bc = tb ? p.K : p.N;
      const std::vector<uint16_t> a16 = to16(p.A, ar, ac), b16 = to16(p.B, br, bc);
      std::vector<float> c16(p.M * p.N, 1.0f), c32 = c16;
      nn::gemm_bf16(p.M, p.N, p.K, 0.5f, {a16.data(), ac + 2, ta}, {b16.data(), bc + 2, tb}, 1.0f,
                    c16.data(), p.N);
      nn::gemm(p.M, p.N, p.K, 0.5f, p.a(), p.b(), 1.0f, c32.data(), p.N, nn::GemmPath::fp32);
      if (!nn::bf16_gemm_enabled()) {
        EXPECT_EQ(0, std::memcmp(c16.data(), c32.data(), c16.size() * sizeof(float)))
            << "ta=" << ta << " tb=" << tb;
        continue;
      }
      for (int64_t m = 0; m < p.M; ++m)
        for (int64_t n = 0; n < p.N; ++n) {
          double mag = 1.0;
          for (int64_t k = 0; k < p.K; ++k) mag += 0.5 * std::fabs(p.at_a(m, k) * p.at_b(k, n));
          ASSERT_LE(std::fabs(c16[m * p.N + n] - c32[m * p.N + n]), 2 * gamma(p.K + 1) * mag)
              << "ta=" << ta << " tb=" << tb << " at " << m << "," << n;
        }
    }
}

// The probe finds a bf16 matmul exactly where the CPU (after LOWP_MAX_ISA's cap) has bf16
// dot products, and the cap also keeps the SIMD kernels below AVX-512.
TEST(Gemm, ProbeFollowsTheCpuAndTheIsaCap) {
  const nn::GemmCaps& caps = nn::gemm_caps();
  std::printf("gemm caps: bf16 %d, isa %s, bf16 matmul %s\n", caps.bf16, caps.isa.c_str(),
              caps.bf16_impl.c_str());
  const std::string cap = kernels::max_isa();
  const char* env = std::getenv("ONEDNN_MAX_CPU_ISA");
  const bool env_capped = env != nullptr && std::string(env).find("AVX512") == std::string::npos &&
                          std::string(env).find("AMX") == std::string::npos;
  const bool capped = cap == "AVX2" || cap == "SSE4" || cap == "EMU128" || env_capped;
  if (cap == "AVX2" || cap == "SSE4" || cap == "EMU128") {
    EXPECT_EQ(kernels::active_simd_target().rfind("AVX3", 0), std::string::npos)
        << kernels::active_simd_target();
  }
  if (capped) {
    EXPECT_EQ(caps.isa.find("avx512"), std::string::npos) << caps.isa;
    EXPECT_FALSE(caps.bf16);
  } else {
    __builtin_cpu_init();
    EXPECT_EQ(caps.bf16, __builtin_cpu_supports("avx512bf16") != 0) << caps.bf16_impl;
  }
  EXPECT_EQ(nn::bf16_gemm_enabled(), caps.bf16);
}

}  // namespace
}  // namespace lowp::test
