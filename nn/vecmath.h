// Vectorisable exp and sigmoid, and the attribute that compiles hot loops for several ISAs.
#pragma once

#include <bit>
#include <cstdint>

// Compiles a function for AVX-512, AVX2 and baseline x86-64, dispatched at load time. nn/ is
// built with -ffp-contract=off, so every clone computes the same bits (only the vector width
// differs; no reduction is reassociated).
#if defined(__x86_64__) && !defined(__clang__)
#define LOWP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LOWP_CLONES
#endif

namespace lowp::nn {

// e^x in fp32 within 2 ulp (Cephes' polynomial after exact range reduction), as plain
// arithmetic that loops vectorise: 0 below -87.3 (where e^x nears the smallest normal),
// e^88 above 88. Pure function of x: the same bits in every clone and thread.
inline float fast_exp(float x) {
  const bool tiny = x < -87.3f;
  x = x > 88.0f ? 88.0f : x;
  x = x < -87.3f ? -87.3f : x;
  // n = round(x / ln 2) by the magic-number trick (exact in fp32 for |n| < 2^22).
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;  // ln 2 split in two parts: the first product is exact
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const float scale =
      std::bit_cast<float>(static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23);
  return tiny ? 0.0f : p * scale;
}

inline float fast_sigmoid(float x) {
  return 1.0f / (1.0f + fast_exp(-x));
}

// y[i] = fast_exp(x[i] - shift) for i < n; y may be x.
void exp_shifted(float* y, const float* x, float shift, int64_t n);

// Reductions in a fixed order that vectorises: 16 interleaved partial sums (element i goes to
// partial i mod 16), added pairwise at the end. The same bits in every clone and thread.
float sum(const float* x, int64_t n);
float dot(const float* x, const float* y, int64_t n);
float max_of(const float* x, int64_t n);  // largest element (n >= 1)

// y[i] = the fp32 value of the bf16 bits x[i], for i < n.
void widen_bf16(const uint16_t* x, float* y, int64_t n);

}  // namespace lowp::nn
