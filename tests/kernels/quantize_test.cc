// kernels::quantize_tensor / fake_quantize / dequantize_tensor equal the formats/ oracle bit
// for bit, for every format family, on awkward lengths and unaligned pointers, on every target.
#include "kernels/quantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "formats/scaled.h"
#include "kernels/runtime.h"
#include "tests/common/gz_lines.h"
#include "tests/kernels/inputs.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp {
namespace {

const int64_t kLengths[] = {0, 1, 3, 7, 15, 16, 17, 31, 32, 33, 1000};

// Formats of every family: element formats under each rounding mode and profile, MX with
// each scale rule, NVFP4 both profiles, generic block / channel / tensor / 2D scaling.
std::vector<std::string> all_formats() {
  std::vector<std::string> v;
  const char* elems[] = {"e4m3", "e4m3_ieee", "e5m2", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e3m4",
                         "e3m2", "e2m3",      "e2m1", "ue4m3",    "bf16",     "fp16",        "tf32",
                         "int2", "int4",      "int8", "e3m3",     "e8m2",     "e1m2"};
  const char* rounds[] = {"rne", "rna", "rnz", "rtz", "up", "down", "odd", "sr", "sr_equal"};
  for (const char* e : elems)
    for (const char* r : rounds) v.push_back(std::string(e) + ":round=" + r + ":seed=11");
  for (const char* e : {"e4m3", "e5m2", "e2m1", "e3m2", "int4"}) {
    v.push_back(std::string(e) + ":sat");
    v.push_back(std::string(e) + ":ftz");
    v.push_back(std::string(e) + ":round=sr:bits=8:seed=3:stream=5");
    for (const char* prof : {"ml_dtypes", "microxcaling", "microxcaling_cuda", "te"})
      v.push_back(std::string(e) + ":profile=" + prof);
  }
  v.push_back("e5m2:sat:round=down");
  v.push_back("e4m3:profile=ml_dtypes:round=rtz");
  v.push_back("e4m3:profile=microxcaling_cuda:sat");
  for (const char* r : {"rne", "rna", "rtz"})  // no mantissa: microxcaling's floor can give 0
    v.push_back(std::string("e5m0:profile=microxcaling:round=") + r);
  v.push_back("e5m3:specials=fn:bias=4");
  v.push_back("e4m3:specials=fnuz:bias=-2");
  v.push_back("e3m2:specials=ieee");
  v.push_back("fp32");
  v.push_back("e8m0");
  v.push_back("int8:full");
  const char* mx[] = {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8"};
  for (const char* m : mx) {
    for (const char* rule : {"floor", "ceil", "even", "rceil", "floor_py"})
      v.push_back(std::string(m) + ":scale=" + rule);
    for (const char* r : {"rna", "rtz", "sr", "odd", "up"})
      v.push_back(std::string(m) + ":round=" + r + ":seed=5");
    v.push_back(std::string(m) + ":profile=microxcaling");
    v.push_back(std::string(m) + ":profile=microxcaling:round=rne");
    v.push_back(std::string(m) + ":profile=microxcaling:round=rtz");
    v.push_back(std::string(m) + ":axis=col");
    // Column groups hold a different exponent per lane; microxcaling applies it by an fp32
    // multiply, so the element grid must stay unscaled (a past bug scaled it twice).
    v.push_back(std::string(m) + ":profile=microxcaling:round=rne:axis=col");
    v.push_back(std::string(m) + ":profile=microxcaling:round=rtz:axis=col");
  }
  for (const char* n : {"nvfp4", "nvfp4:profile=te", "nvfp4:levels=1", "nvfp4:profile=te:levels=1",
                        "nvfp4:tile=16x16", "nvfp4:round=sr:seed=9", "nvfp4:axis=col",
                        "nvfp4:profile=te:round=sr:bits=8:seed=1"})
    v.push_back(n);
  for (const char* g :
       {"e4m3:block=64", "e4m3:block=8:scale=ue4m3", "e3m2:block=16:axis=col", "int8:channel",
        "int4:channel:axis=col", "e2m1:tensor", "e4m3:tensor:scale=fp32",
        "e5m2:tile=4x8:scale=pow2", "e4m3:block=24:scale=fp32", "bf16:block=32",
        "fp16:block=16:scale=ceil", "e2m1:block=3", "int8:block=32:scale=fp32",
        "e4m3:tile=2x2:scale=rceil", "e2m3:block=16:scale=ue4m3:levels=2",
        // Three vectors per group on AVX-512 (a superblock is one run over 48 vectors).
        "e4m3:block=48:scale=pow2", "e2m1:block=48:round=sr:seed=4"})
    v.push_back(g);
  return v;
}

std::string hexs(uint32_t u) {
  char b[16];
  std::snprintf(b, sizeof b, "%08x", u);
  return b;
}

// Runs oracle and kernel on x [rows, cols] (x may be unaligned) and compares every output.
// Returns the number of mismatching elements (reports the first few).
int compare(const Format& f, const float* x, int64_t rows, int64_t cols, uint64_t index_base,
            const std::string& where) {
  const int64_t n = rows * cols;
  const ScaleGrid grid = scale_grid(f, rows, cols);
  const size_t ns = static_cast<size_t>(std::max<int64_t>(grid.count(), 1));
  std::vector<uint32_t> c0(n + 1), c1(n + 1), s0(ns, 7), s1(ns, 7);
  std::vector<float> v0(n + 1), v1(n + 1);
  uint32_t t0 = 3, t1 = 3;
  QuantStats st0, st1;
  QuantOut o0{c0.data(), s0.data(), &t0, v0.data(), &st0};
  QuantOut o1{c1.data(), s1.data(), &t1, v1.data(), &st1};
  quantize_tensor(f, x, rows, cols, o0, index_base);
  kernels::quantize_tensor(f, x, rows, cols, o1, index_base);
  int bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (c0[i] == c1[i] && f2u(v0[i]) == f2u(v1[i])) continue;
    if (++bad <= 3)
      ADD_FAILURE() << where << " element " << i << " x=" << hexs(f2u(x[i])) << " (" << x[i]
                    << "): oracle code " << hexs(c0[i]) << " value " << hexs(f2u(v0[i])) << " ("
                    << v0[i] << "), kernel code " << hexs(c1[i]) << " value " << hexs(f2u(v1[i]))
                    << " (" << v1[i] << ")";
  }
  for (size_t i = 0; i < ns; ++i)
    if (s0[i] != s1[i] && ++bad <= 3)
      ADD_FAILURE() << where << " scale " << i << ": oracle " << hexs(s0[i]) << " kernel "
                    << hexs(s1[i]);
  // The value-only path (fake_quantize) is a separate fast path: compare it too.
  std::vector<float> v2(n + 1);
  kernels::fake_quantize(f, x, v2.data(), rows, cols, index_base);
  for (int64_t i = 0; i < n; ++i)
    if (f2u(v0[i]) != f2u(v2[i]) && ++bad <= 3)
      ADD_FAILURE() << where << " fake_quantize element " << i << " x=" << hexs(f2u(x[i])) << " ("
                    << x[i] << "): oracle " << hexs(f2u(v0[i])) << " (" << v0[i] << "), kernel "
                    << hexs(f2u(v2[i])) << " (" << v2[i] << ")";
  if (t0 != t1 && ++bad <= 3) ADD_FAILURE() << where << " tensor scale " << t0 << " vs " << t1;
  if (st0.n != st1.n || st0.saturated != st1.saturated || st0.flushed != st1.flushed ||
      st0.nan_mapped != st1.nan_mapped || st0.overflowed != st1.overflowed) {
    ++bad;
    ADD_FAILURE() << where << " stats: oracle " << st0.n << "/" << st0.saturated << "/"
                  << st0.flushed << "/" << st0.nan_mapped << "/" << st0.overflowed << " kernel "
                  << st1.n << "/" << st1.saturated << "/" << st1.flushed << "/" << st1.nan_mapped
                  << "/" << st1.overflowed;
  }
  return bad;
}

TEST(KernelQuantize, EveryFormatLengthAlignmentAndTarget) {
  const auto formats = all_formats();
  test::for_each_target([&](const std::string& target) {
    for (const std::string& name : formats) {
      const Format f = parse_format(name);
      int bad = 0;
      for (int64_t len : kLengths) {
        // Unaligned by one float; scales centred where the format has its values.
        std::vector<float> buf(static_cast<size_t>(len) + 1);
        const auto in = test::mixed_inputs(len, static_cast<uint64_t>(len) * 7 + 1, (len % 5) - 2);
        std::copy(in.begin(), in.end(), buf.begin() + 1);  // memcpy of an empty vector is UB
        const std::string where = target + " " + name + " len " + std::to_string(len);
        bad += compare(f, buf.data() + 1, 1, len, 0, where);
        bad += compare(f, buf.data() + 1, 1, len, 3, where + " base 3");
        if (bad > 6) break;
      }
      EXPECT_EQ(bad, 0) << target << " " << name;
    }
  });
}

// 2D shapes: column blocks, tiles, channels and ragged edges.
TEST(KernelQuantize, TwoDimensionalShapes) {
  const auto formats = all_formats();
  const int64_t shapes[][2] = {{3, 33}, {17, 16}, {33, 7}, {40, 64}, {5, 1}};
  test::for_each_target([&](const std::string& target) {
    for (const std::string& name : formats) {
      const Format f = parse_format(name);
      if (!f.scaled() && name.find("sr") == std::string::npos) continue;
      for (const auto& s : shapes) {
        const auto x = test::mixed_inputs(s[0] * s[1], 99, 1);
        const std::string where =
            target + " " + name + " " + std::to_string(s[0]) + "x" + std::to_string(s[1]);
        ASSERT_EQ(compare(f, x.data(), s[0], s[1], 5, where), 0);
      }
    }
  });
}

// Blocks whose scale exponent is tiny (amax near 2^-120 and below): the wide and oracle tiers.
TEST(KernelQuantize, TinyAndHugeBlockScales) {
  for (int center : {-140, -126, -120, -110, 100, 120, 126}) {
    test::for_each_target([&](const std::string& target) {
      for (const char* name :
           {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8",
            "bf16:block=32", "fp16:block=16", "nvfp4", "nvfp4:profile=te", "mxfp4:scale=rceil",
            "mxfp8_e4m3:round=sr:seed=2", "e4m3:block=4:scale=fp32", "mxfp4:profile=microxcaling",
            "mxint8:profile=microxcaling"}) {
        auto x = test::mixed_inputs(256, static_cast<uint64_t>(center + 1000), center);
        // Make some whole blocks finite so their scales are not NaN.
        for (size_t i = 0; i < 128; ++i)
          if (!std::isfinite(x[i])) x[i] = exp2i(std::max(-149, center));
        const std::string where = target + " " + name + " center " + std::to_string(center);
        ASSERT_EQ(compare(parse_format(name), x.data(), 2, 128, 0, where), 0);
      }
    });
  }
}

// Profile microxcaling in each of its modes on values a few ulps below every power of two of
// fp32 (where its fp32 log2 and fp32 `|x| + 0.5` differ from exact arithmetic), elementwise and
// in MX blocks along rows and columns.
TEST(KernelQuantize, MicroxcalingJustBelowPowersOfTwo) {
  std::vector<float> x;
  for (int k = -148; k <= 128; ++k)
    for (uint32_t j = 0; j < 48; ++j) {
      const uint32_t top = k == 128 ? 0x7F800000u : f2u(exp2i(k));
      if (top > j) x.push_back(u2f((top - j) | ((j % 3 == 1) ? 0x80000000u : 0u)));
    }
  // The same values scaled into each block's subnormal range: t = 0.5 - 2^-25 quanta and ties.
  for (int k = -140; k <= 120; k += 7)
    for (uint32_t b : {0x3EFFFFFFu, 0x3F000000u, 0x3F7FFFFFu, 0x3FC00000u, 0x3E7FFFFFu})
      x.push_back(u2f(b) * exp2i(k));
  x.resize((x.size() + 63) / 64 * 64, 1.5f);
  const int64_t cols = 64, rows = static_cast<int64_t>(x.size()) / cols;
  test::for_each_target([&](const std::string& target) {
    for (const char* mode : {"rne", "rna", "rtz"}) {
      for (const char* e : {"e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "e5m0", "int8", "mxfp8_e4m3",
                            "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8",
                            "mxfp4:axis=col", "mxfp8_e4m3:axis=col"}) {
        const std::string name = std::string(e) + ":profile=microxcaling:round=" + mode;
        const std::string where = target + " " + name;
        EXPECT_EQ(compare(parse_format(name), x.data(), rows, cols, 0, where), 0) << where;
      }
    }
  });
}

// Every block of tests/data/mx_microxcaling (microxcaling itself, each element type and
// rounding) through the kernels as one [blocks, 32] tensor, on every target.
TEST(KernelQuantize, MicroxcalingGoldenFilesOnEveryTarget) {
  const std::pair<const char*, const char*> elems[] = {
      {"fp8_e4m3", "mxfp8_e4m3"}, {"fp8_e5m2", "mxfp8_e5m2"}, {"fp6_e3m2", "mxfp6_e3m2"},
      {"fp6_e2m3", "mxfp6_e2m3"}, {"fp4_e2m1", "mxfp4"},      {"int8", "mxint8"}};
  const std::pair<const char*, const char*> modes[] = {
      {"even", "rne"}, {"nearest", "rna"}, {"floor", "rtz"}};
  const auto hex = [](const std::string& s) {
    return static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 16));
  };
  for (const auto& [elem, fmt] : elems)
    for (const auto& [mode, round] : modes) {
      const std::string stem = std::string(elem) + "_" + mode + "_microxcaling";
      const auto lines = test::read_gz_lines(std::string(LOWP_SOURCE_DIR) +
                                             "/tests/data/mx_microxcaling/" + stem + ".tsv.gz");
      ASSERT_GT(lines.size(), 1100u) << stem;
      std::vector<float> x;
      std::vector<std::vector<std::string>> rows;
      for (size_t i = 1; i < lines.size(); ++i) {
        rows.push_back(test::split(lines[i], '\t'));
        for (const auto& b : test::split(rows.back()[2], ',')) x.push_back(u2f(hex(b)));
      }
      const int64_t n = static_cast<int64_t>(rows.size());
      ASSERT_EQ(x.size(), static_cast<size_t>(n) * 32) << stem;
      const Format f = parse_format(std::string(fmt) + ":profile=microxcaling:round=" + round);
      test::for_each_target([&](const std::string& target) {
        std::vector<uint32_t> codes(x.size()), scales(static_cast<size_t>(n));
        std::vector<float> v(x.size());
        QuantOut o;
        o.codes = codes.data();
        o.scales = scales.data();
        o.values = v.data();
        kernels::quantize_tensor(f, x.data(), n, 32, o);
        int bad = 0;
        for (int64_t b = 0; b < n; ++b) {
          const auto& r = rows[static_cast<size_t>(b)];
          const auto want_v = test::split(r[3], ','), want_c = test::split(r[5], ',');
          bool ok = scales[b] == hex(r[1]);
          for (int i = 0; i < 32 && ok; ++i) {
            const float got = v[static_cast<size_t>(b * 32 + i)];
            ok = want_v[i] == "NaN" ? std::isnan(got) : f2u(got) == hex(want_v[i]);
            if (r[5] != "-") ok = ok && codes[static_cast<size_t>(b * 32 + i)] == hex(want_c[i]);
          }
          if (!ok && ++bad <= 3)
            ADD_FAILURE() << target << " " << stem << " block " << r[0] << " scale "
                          << hexs(scales[b]);
        }
        EXPECT_EQ(bad, 0) << target << " " << stem;
        EXPECT_EQ(compare(f, x.data(), n, 32, 0, target + " " + stem), 0);
      });
    }
}

// Any thread count gives the same bits (stochastic rounding included).
TEST(KernelQuantize, ThreadCountInvariant) {
  const int64_t rows = 96, cols = 4096;  // several tasks
  const auto x = test::mixed_inputs(rows * cols, 5, 0);
  for (const char* name :
       {"e4m3:round=sr:seed=4", "mxfp4", "nvfp4:round=sr:seed=1", "int8:channel:axis=col"}) {
    const Format f = parse_format(name);
    std::vector<float> y1(x.size()), y2(x.size());
    kernels::set_num_threads(1);
    kernels::fake_quantize(f, x.data(), y1.data(), rows, cols, 17);
    kernels::set_num_threads(2);
    kernels::fake_quantize(f, x.data(), y2.data(), rows, cols, 17);
    EXPECT_EQ(0, std::memcmp(y1.data(), y2.data(), x.size() * sizeof(float))) << name;
    EXPECT_EQ(compare(f, x.data(), rows, cols, 17, name), 0);
  }
}

// Element indices whose Philox block counter's low word wraps (2^34 and around): the batched
// generator falls back to the per-block counters there and gives the oracle's draws.
TEST(KernelQuantize, StochasticRoundingAcrossCounterWrap) {
  // Normal fp32 values only: every vector takes the fast path's batched draws.
  std::vector<float> x(4096);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i)) * 3.0f + 0.01f;
  test::for_each_target([&](const std::string& target) {
    for (const char* name : {"e4m3:round=sr:seed=3", "mxfp4:round=sr:seed=3", "nvfp4:round=sr"}) {
      for (uint64_t base : {(uint64_t{1} << 34) - 20, (uint64_t{1} << 34) - 4093,
                            (uint64_t{1} << 35) - 64, (uint64_t{3} << 34) + 2}) {
        const std::string where = target + " " + name + " base " + std::to_string(base);
        EXPECT_EQ(compare(parse_format(name), x.data(), 2, 2048, base, where), 0);
      }
    }
  });
}

TEST(KernelQuantize, InPlaceEqualsOutOfPlace) {
  const auto x = test::mixed_inputs(3000, 8, 0);
  for (const char* name : {"e4m3", "mxfp8_e4m3", "nvfp4", "e2m1:tensor", "int4:channel:axis=col"}) {
    const Format f = parse_format(name);
    std::vector<float> y(x.size()), z = x;
    kernels::fake_quantize(f, x.data(), y.data(), 30, 100);
    kernels::fake_quantize(f, z.data(), z.data(), 30, 100);
    EXPECT_EQ(0, std::memcmp(y.data(), z.data(), x.size() * sizeof(float))) << name;
  }
}

// Outputs larger than 32 MiB take non-temporal stores in the row-block fast path when the
// destination is vector-aligned: same bits as the oracle, aligned or not.
TEST(KernelQuantize, LargeOutputsWrittenAroundTheCache) {
  const int64_t rows = 256, cols = 32896;  // 8.4M elements: 33.7 MB, over the 32 MiB threshold
  const int64_t n = rows * cols;
  const auto x = test::mixed_inputs(n, 12, 0);
  std::vector<float> buf(static_cast<size_t>(n) + 32), want(static_cast<size_t>(n));
  float* aligned = buf.data();
  while (reinterpret_cast<uintptr_t>(aligned) % 64 != 0) ++aligned;
  for (const char* name : {"mxfp8_e4m3", "nvfp4", "mxfp4:round=sr:seed=2"}) {
    const Format f = parse_format(name);
    fake_quantize(f, x.data(), want.data(), rows, cols, 5);
    for (float* out : {aligned, aligned + 1}) {
      std::fill(buf.begin(), buf.end(), 0.0f);
      kernels::fake_quantize(f, x.data(), out, rows, cols, 5);
      int64_t bad = 0;
      for (int64_t i = 0; i < n; ++i) bad += f2u(out[i]) != f2u(want[i]);
      EXPECT_EQ(bad, 0) << name << (out == aligned ? " aligned" : " unaligned");
    }
  }
}

TEST(KernelQuantize, ForceScalarIsTheOracle) {
  const auto x = test::mixed_inputs(500, 4, 0);
  const Format f = parse_format("mxfp4");
  std::vector<float> y0(500), y1(500);
  fake_quantize(f, x.data(), y0.data(), 1, 500);
  kernels::set_force_scalar(true);
  EXPECT_TRUE(kernels::force_scalar());
  kernels::fake_quantize(f, x.data(), y1.data(), 1, 500);
  kernels::set_force_scalar(false);
  EXPECT_EQ(0, std::memcmp(y0.data(), y1.data(), sizeof(float) * 500));
}

TEST(KernelQuantize, BadArgumentsThrow) {
  const Format f = parse_format("e4m3");
  float x = 1.0f;
  EXPECT_THROW(kernels::fake_quantize(f, &x, &x, -1, 1), Error);
  EXPECT_THROW(kernels::fake_quantize(f, nullptr, &x, 1, 1), Error);
  EXPECT_THROW(kernels::set_num_threads(0), Error);
  EXPECT_THROW(kernels::use_simd_target("NOPE"), Error);
}

TEST(KernelDequantize, EqualsOracle) {
  test::for_each_target([&](const std::string& target) {
    for (const std::string& name : all_formats()) {
      const Format f = parse_format(name);
      for (const auto& s : {std::pair<int64_t, int64_t>{1, 33}, {7, 40}, {17, 16}}) {
        const int64_t n = s.first * s.second;
        const auto x = test::mixed_inputs(n, 21, 0);
        const ScaleGrid grid = scale_grid(f, s.first, s.second);
        std::vector<uint32_t> codes(n), scales(std::max<int64_t>(grid.count(), 1));
        uint32_t ts = 0;
        QuantOut o{codes.data(), scales.data(), &ts, nullptr, nullptr};
        quantize_tensor(f, x.data(), s.first, s.second, o);
        std::vector<float> v0(n), v1(n);
        dequantize_tensor(f, codes.data(), scales.data(), ts, s.first, s.second, v0.data());
        kernels::dequantize_tensor(f, codes.data(), scales.data(), ts, s.first, s.second,
                                   v1.data());
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(f2u(v0[i]), f2u(v1[i])) << target << " " << name << " element " << i;
      }
    }
  });
}

TEST(KernelStats, AmaxAndQuantError) {
  auto x = test::mixed_inputs(10000, 3, 0);
  for (auto& v : x)
    if (!std::isfinite(v) || std::fabs(v) > 1e30f) v = 0.5f;
  float want = 0;
  for (float v : x) want = std::max(want, std::fabs(v));
  EXPECT_EQ(kernels::amax(x.data(), 0), 0.0f);
  test::for_each_target([&](const std::string& target) {
    EXPECT_EQ(kernels::amax(x.data(), static_cast<int64_t>(x.size())), want) << target;
    for (const char* name : {"e4m3", "e4m3:sat", "mxfp4", "nvfp4", "int8:channel"}) {
      const Format f = parse_format(name);
      const auto e = kernels::quant_error(f, x.data(), 100, 100);
      std::vector<float> y(x.size());
      QuantStats st;
      QuantOut o{nullptr, nullptr, nullptr, y.data(), &st};
      quantize_tensor(f, x.data(), 100, 100, o);
      long double sse = 0, ss = 0;
      int64_t nonfinite = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(y[i])) {
          ++nonfinite;
          continue;
        }
        sse += (static_cast<long double>(x[i]) - y[i]) * (static_cast<long double>(x[i]) - y[i]);
        ss += static_cast<long double>(x[i]) * x[i];
      }
      // Error model: each of n double additions rounds with relative error <= 2^-53.
      const double tol = 1e4 * 0x1p-53;
      EXPECT_NEAR(e.sum_sq_err, static_cast<double>(sse), tol * static_cast<double>(sse)) << name;
      EXPECT_NEAR(e.sum_sq, static_cast<double>(ss), tol * static_cast<double>(ss)) << name;
      EXPECT_EQ(e.counts.n, st.n);
      EXPECT_EQ(e.counts.saturated, st.saturated) << name;
      EXPECT_EQ(e.counts.flushed, st.flushed) << name;
      EXPECT_EQ(e.nonfinite, nonfinite) << name;
    }
  });
  x[77] = u2f(0x7FC00001u);
  EXPECT_TRUE(std::isnan(kernels::amax(x.data(), static_cast<int64_t>(x.size()))));
}

}  // namespace
}  // namespace lowp
