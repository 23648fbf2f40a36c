// The sampled version of `lowp verify --exhaustive`: every element format and rounding mode on
// every 4099th fp32 pattern plus all edge patterns (best target; every 65537th on the others),
// and random tensors for block-scaled formats. Mismatches fail with the first few listed.
#include "kernels/verify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/format.h"
#include "kernels/runtime.h"
#include "tests/kernels/inputs.h"
#include "util/error.h"

namespace lowp {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kStride = 65537;  // a sparser sample: sanitizers slow every input down
#else
constexpr uint64_t kStride = 4099;
#endif

const char* const kElementFormats[] = {
    "e4m3", "e4m3_ieee", "e5m2", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e3m4", "e3m2",
    "e2m3", "e2m1",      "e8m0", "ue4m3",    "bf16",     "fp16",        "tf32", "fp32",
    "int2", "int3",      "int4", "int5",     "int6",     "int7",        "int8"};
const char* const kRounds[] = {"rne", "rna", "rnz", "rtz", "up", "down", "odd", "sr", "sr_equal"};

kernels::MismatchFn reporter(const std::string& name) {
  return [name](const kernels::Mismatch& m) {
    ADD_FAILURE() << name << ": input " << std::hex << m.input_bits << std::dec << " index "
                  << m.index << ": " << m.what;
  };
}

TEST(KernelVerify, ElementFormatsSampledPatterns) {
  const std::string best = kernels::active_simd_target();
  test::for_each_target([&](const std::string& target) {
    const uint64_t stride = target == best ? kStride : 65537;
    for (const char* e : kElementFormats)
      for (const char* r : kRounds) {
        const std::string name = std::string(e) + ":round=" + r + ":seed=3";
        const auto res = kernels::verify_patterns(parse_format(name), stride, true,
                                                  reporter(target + " " + name), 3);
        EXPECT_EQ(res.mismatches, 0u) << target << " " << name;
        EXPECT_GT(res.inputs, (uint64_t{1} << 32) / stride);
      }
  });
}

TEST(KernelVerify, ProfilesAndOptionsSampledPatterns) {
  for (const char* name :
       {"e4m3:profile=ml_dtypes", "e2m1:profile=ml_dtypes", "e4m3:profile=microxcaling",
        "e2m1:profile=microxcaling", "e4m3:profile=microxcaling_cuda:sat", "e2m1:profile=te",
        "e5m2:sat", "e4m3:ftz", "bf16:round=sr:bits=8", "e2m1:round=sr:bits=3", "int8:full",
        "int4:profile=microxcaling", "e5m3:specials=fn:bias=4", "e6m5"}) {
    const auto res = kernels::verify_patterns(parse_format(name), kStride, true, reporter(name), 3);
    EXPECT_EQ(res.mismatches, 0u) << name;
  }
}

TEST(KernelVerify, ScaledFormatsRandomTensors) {
  for (const char* name :
       {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8",
        "mxfp4:scale=rceil", "mxfp8_e4m3:scale=even:round=sr", "mxfp4:profile=microxcaling",
        "nvfp4", "nvfp4:profile=te", "nvfp4:tile=16x16", "nvfp4:profile=te:round=sr:bits=8",
        "e4m3:block=128:scale=ue4m3", "int4:channel:axis=col", "e2m1:block=16:axis=col",
        "bf16:block=64", "e4m3:tensor"}) {
    const auto res = kernels::verify_random(parse_format(name), 7, 60, reporter(name), 3);
    EXPECT_EQ(res.mismatches, 0u) << name;
  }
}

TEST(KernelVerify, ScaledPatternSweepIsRejected) {
  EXPECT_THROW(kernels::verify_patterns(parse_format("mxfp4"), 1, false, nullptr), Error);
}

}  // namespace
}  // namespace lowp
