// Every code of every format of at most 16 bits: decode->encode identity, distinct, monotone.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "formats/format.h"
#include "formats/pack.h"
#include "util/bits.h"

namespace lowp {
namespace {

// Every element format the grammar names, plus unnamed eXmY conventions, integers and biases.
std::vector<std::string> all_element_formats() {
  std::vector<std::string> v = {"e4m3",
                                "e4m3_ieee",
                                "e5m2",
                                "e4m3fnuz",
                                "e5m2fnuz",
                                "e4m3b11fnuz",
                                "e3m4",
                                "e3m2",
                                "e2m3",
                                "e2m1",
                                "e8m0",
                                "ue4m3",
                                "bf16",
                                "fp16",
                                "int2",
                                "int3",
                                "int4",
                                "int5",
                                "int6",
                                "int7",
                                "int8",
                                "int4:full",
                                "e3m3",
                                "e2m2",
                                "e5m0",
                                "e1m2",
                                "e6m9",
                                "e4m3:specials=fnuz",
                                "e3m3:specials=fn",
                                "e5m2:specials=finite:bias=10"};
  return v;
}

// Signed value order key of a code (NaN codes excluded by the caller).
TEST(Codes, DecodeEncodeIdentityDistinctMonotone) {
  for (const auto& name : all_element_formats()) {
    SCOPED_TRACE(name);
    const Format f = parse_format(name);
    const ElementFormat& e = f.elem;
    const uint32_t ncodes = 1u << e.bits;
    std::vector<std::pair<float, uint32_t>> values;
    for (uint32_t c = 0; c < ncodes; ++c) {
      if (!e.is_signed && (c & e.sign_bit)) continue;
      if (e.kind == ElemKind::integer && e.symmetric && c == e.sign_bit)
        continue;  // -2^(b-1) unused
      const float v = decode(e, c);
      if (is_nan_code(e, c)) {
        EXPECT_TRUE(std::isnan(v)) << c;
        continue;
      }
      ASSERT_FALSE(std::isnan(v)) << c;
      CastOptions o;
      o.saturate = false;
      const uint32_t back = encode(e, v, o);
      // Designated duplicate: -0 of an integer format encodes as code 0.
      if (e.kind == ElemKind::integer && v == 0.0f) {
        EXPECT_EQ(back, 0u);
        continue;
      }
      EXPECT_EQ(back, c) << "code " << c << " value " << v;
      values.push_back({v, c});
    }
    // Distinct except +-0; sorted by value, codes are monotone in sign-magnitude order.
    std::sort(values.begin(), values.end(), [](auto a, auto b) {
      if (a.first != b.first) return a.first < b.first;
      return std::signbit(a.first) > std::signbit(b.first);
    });
    for (size_t i = 1; i < values.size(); ++i) {
      const bool both_zero = values[i].first == 0.0f && values[i - 1].first == 0.0f;
      if (both_zero) continue;
      EXPECT_LT(values[i - 1].first, values[i].first) << values[i].second;
    }
    // Monotone: for non-negative codes of floats, larger magnitude code = larger value.
    if (e.kind == ElemKind::minifloat || e.kind == ElemKind::e8m0) {
      float prev = -1.0f;
      for (uint32_t c = 0; c <= e.max_mag; ++c) {
        if (is_nan_code(e, c) || (e.has_inf && c == e.inf_code)) continue;
        const float v = decode(e, c);
        EXPECT_GT(v, prev) << "code " << c;
        prev = v;
      }
    }
  }
}

TEST(Codes, FormatTableFacts) {
  struct Row {
    const char* name;
    float maxfin, min_normal, min_sub;
  };
  const Row rows[] = {{"e4m3", 448, 0x1p-6f, 0x1p-9f},
                      {"e4m3_ieee", 240, 0x1p-6f, 0x1p-9f},
                      {"e5m2", 57344, 0x1p-14f, 0x1p-16f},
                      {"e4m3fnuz", 240, 0x1p-7f, 0x1p-10f},
                      {"e5m2fnuz", 57344, 0x1p-15f, 0x1p-17f},
                      {"e4m3b11fnuz", 30, 0x1p-10f, 0x1p-13f},
                      {"e3m4", 15.5f, 0.25f, 0x1p-6f},
                      {"e3m2", 28, 0.25f, 0.0625f},
                      {"e2m3", 7.5f, 1, 0.125f},
                      {"e2m1", 6, 1, 0.5f},
                      {"e8m0", 0x1p127f, 0x1p-127f, 0},
                      {"ue4m3", 448, 0x1p-6f, 0x1p-9f},
                      {"bf16", 0x1.FEp127f, 0x1p-126f, 0x1p-133f},
                      {"fp16", 65504, 0x1p-14f, 0x1p-24f}};
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const ElementFormat e = parse_format(r.name).elem;
    EXPECT_EQ(e.max_finite(), r.maxfin);
    EXPECT_EQ(e.min_normal(), r.min_normal);
    EXPECT_EQ(e.min_subnormal(), r.min_sub);
  }
  EXPECT_EQ(parse_format("e4m3").elem.max_mag, 0x7Eu);
  EXPECT_EQ(parse_format("e5m2").elem.nan_code, 0x7Eu);
  EXPECT_EQ(parse_format("e4m3fnuz").elem.nan_code, 0x80u);
  EXPECT_EQ(parse_format("ue4m3").elem.nan_code, 0x7Fu);
  EXPECT_EQ(parse_format("tf32").elem.bits, 19);
}

TEST(Packing, RoundTripEveryFormatOddLengths) {
  auto names = all_element_formats();
  names.push_back("tf32");
  names.push_back("fp32");
  for (const auto& name : names) {
    const ElementFormat e = parse_format(name).elem;
    for (bool unpacked6 : {false, true}) {
      const Packing p = packing_for(e, unpacked6);
      for (size_t n : {0, 1, 2, 3, 5, 7, 8, 31, 33, 1001}) {
        std::vector<uint32_t> codes(n), back(n, 0xDEADu);
        const uint32_t mask = e.bits >= 32 ? 0xFFFFFFFFu : (1u << e.bits) - 1;
        for (size_t i = 0; i < n; ++i) codes[i] = static_cast<uint32_t>(i * 2654435761u + 7) & mask;
        std::vector<uint8_t> bytes(packed_bytes(p, n) + 1, 0xAB);
        pack_codes(p, codes.data(), n, bytes.data());
        EXPECT_EQ(bytes.back(), 0xAB) << "wrote past the packed size";
        unpack_codes(p, bytes.data(), n, back.data());
        EXPECT_EQ(codes, back) << name << " " << packing_name(p) << " n=" << n;
      }
    }
  }
}

TEST(Packing, LayoutMatchesSpec) {
  // FP4: element 2i in bits 3:0, 2i+1 in bits 7:4; odd count padded with a zero nibble.
  const uint32_t fp4[] = {0x1, 0xF, 0x7};
  uint8_t b4[2];
  pack_codes(Packing::bits4, fp4, 3, b4);
  EXPECT_EQ(b4[0], 0xF1);
  EXPECT_EQ(b4[1], 0x07);
  EXPECT_EQ(packed_bytes(Packing::bits4, 3), 2u);
  // FP6: 4 values in 3 bytes, little-endian bit stream.
  const uint32_t fp6[] = {0x3F, 0x00, 0x15, 0x2A};
  uint8_t b6[3];
  pack_codes(Packing::bits6, fp6, 4, b6);
  const uint32_t stream = b6[0] | (b6[1] << 8) | (b6[2] << 16);
  EXPECT_EQ(stream, 0x3Fu | (0x00u << 6) | (0x15u << 12) | (0x2Au << 18));
  // INT2: four per byte, lowest bits first.
  const uint32_t i2[] = {1, 2, 3, 0, 1};
  uint8_t b2[2];
  pack_codes(Packing::bits2, i2, 5, b2);
  EXPECT_EQ(b2[0], 1 | (2 << 2) | (3 << 4));
  EXPECT_EQ(b2[1], 1);
}

}  // namespace
}  // namespace lowp
