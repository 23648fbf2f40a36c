// kernels::quantize_packed / dequantize_packed equal the oracle's codes packed by formats/pack.h.
#include "kernels/packed.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/pack.h"
#include "formats/scaled.h"
#include "kernels/runtime.h"
#include "tests/kernels/inputs.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp {
namespace {

TEST(KernelPacked, EqualsOraclePackingForEveryPacking) {
  const int64_t shapes[][2] = {{1, 1}, {1, 3}, {1, 7}, {3, 33}, {17, 16}, {2, 70001}};
  for (const char* name : {"e2m1",
                           "int4",
                           "int2",
                           "e3m2",
                           "e2m3",
                           "e4m3",
                           "bf16",
                           "fp16",
                           "tf32",
                           "fp32",
                           "mxfp4",
                           "mxfp6_e3m2",
                           "mxfp6_e2m3:axis=col",
                           "mxfp8_e4m3",
                           "mxint8",
                           "nvfp4",
                           "nvfp4:profile=te:tile=16x16",
                           "int4:channel",
                           "e2m1:round=sr:seed=5",
                           "mxfp4:round=sr:seed=2"}) {
    const Format f = parse_format(name);
    for (bool fp6_unpacked : {false, true}) {
      const Packing p = packing_for(f.elem, fp6_unpacked);
      for (const auto& s : shapes) {
        const int64_t n = s[0] * s[1];
        const auto x = test::mixed_inputs(n, static_cast<uint64_t>(n), 0);
        std::vector<uint32_t> codes(n), s0(std::max<int64_t>(1, scale_grid(f, s[0], s[1]).count())),
            s1(s0.size());
        uint32_t t0 = 0, t1 = 0;
        QuantStats st0, st1;
        quantize_tensor(f, x.data(), s[0], s[1], {codes.data(), s0.data(), &t0, nullptr, &st0}, 9);
        std::vector<uint8_t> want(packed_bytes(p, n)), got(want.size(), 0xAB);
        pack_codes(p, codes.data(), n, want.data());
        kernels::quantize_packed(f, p, x.data(), s[0], s[1], {got.data(), s1.data(), &t1, &st1}, 9);
        ASSERT_EQ(want, got) << name << " " << packing_name(p) << " n=" << n;
        ASSERT_EQ(s0, s1) << name;
        EXPECT_EQ(t0, t1) << name;
        EXPECT_EQ(st0.saturated, st1.saturated) << name;
        EXPECT_EQ(st0.flushed, st1.flushed) << name;
        std::vector<float> v0(n), v1(n);
        dequantize_tensor(f, codes.data(), s0.data(), t0, s[0], s[1], v0.data());
        kernels::dequantize_packed(f, p, got.data(), s1.data(), t1, s[0], s[1], v1.data());
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(f2u(v0[i]), f2u(v1[i])) << name << " " << i;
      }
    }
  }
}

TEST(KernelPacked, WrongPackingIsAnError) {
  const float x[4] = {1, 2, 3, 4};
  uint8_t bytes[16];
  EXPECT_THROW(kernels::quantize_packed(parse_format("e4m3"), Packing::bits4, x, 1, 4, {bytes}),
               Error);
}

}  // namespace
}  // namespace lowp
