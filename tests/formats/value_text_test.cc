// The fp32 value reader of `lowp cast` / `lowp quantize` stdin: what it accepts, the bits it
// gives, and the odd inputs it rejects with a message naming the place and the token.
#include "formats/value_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "util/bits.h"
#include "util/error.h"

namespace lowp {
namespace {

uint32_t bits_of(const std::string& token) {
  return f2u(parse_value(token, "line 3"));
}

// The message of the lowp::Error parse_value throws ("" when it accepts the token).
std::string error_of(const std::string& token) {
  try {
    parse_value(token, "line 3");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ValueText, DecimalsAndWords) {
  EXPECT_EQ(bits_of("0.1"), 0x3dcccccdu);
  EXPECT_EQ(bits_of("-2.5e-3"), f2u(-2.5e-3f));
  EXPECT_EQ(bits_of("+1.5"), 0x3fc00000u);
  EXPECT_EQ(bits_of(".5"), 0x3f000000u);
  EXPECT_EQ(bits_of("1."), 0x3f800000u);
  EXPECT_EQ(bits_of("1E2"), f2u(100.0f));
  EXPECT_EQ(bits_of("-0"), 0x80000000u);  // the sign of zero is kept
  EXPECT_EQ(bits_of("0"), 0x00000000u);
  EXPECT_EQ(bits_of("inf"), 0x7f800000u);
  EXPECT_EQ(bits_of("-Infinity"), 0xff800000u);
  EXPECT_TRUE(std::isnan(parse_value("nan", "x")));
  EXPECT_TRUE(std::isnan(parse_value("NaN", "x")));
  EXPECT_TRUE(std::signbit(parse_value("-nan", "x")));
  // Out of fp32's range: rounded as fp32 parsing rounds, to +-inf or +-0.
  EXPECT_EQ(bits_of("1e39"), 0x7f800000u);
  EXPECT_EQ(bits_of("-1e-50"), 0x80000000u);
  EXPECT_EQ(bits_of("1e-45"), 0x00000001u);  // the smallest subnormal
}

TEST(ValueText, HexIsTheBitPattern) {
  EXPECT_EQ(bits_of("0x3f800000"), 0x3f800000u);
  EXPECT_EQ(bits_of("0XBF800000"), 0xbf800000u);  // -1, the sign in the bits
  EXPECT_EQ(bits_of("0x1"), 0x00000001u);         // fewer digits: the low bits
  EXPECT_EQ(bits_of("0x7fc00001"), 0x7fc00001u);  // NaN payloads are kept bit for bit
  EXPECT_EQ(bits_of("0xffffffff"), 0xffffffffu);
}

// "-0x3f800000" once read as the decimal integer -1065353216 (strtof's hex-float reading).
// A sign before bits has three readings - negated value (-1), two's complement bits, that
// integer - so it is an error that says where the sign goes.
TEST(ValueText, SignedHexIsAnError) {
  for (const char* t : {"-0x3f800000", "+0x3f800000", "-0x0"}) {
    const std::string e = error_of(t);
    EXPECT_NE(e.find("line 3: cannot read '" + std::string(t) + "'"), std::string::npos) << e;
    EXPECT_NE(e.find("a sign before 0x bits is ambiguous"), std::string::npos) << e;
    EXPECT_NE(e.find("0xbf800000 for -1"), std::string::npos) << e;
  }
}

TEST(ValueText, OddInputsAreErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty"},
      {"0x", "no hex digits after 0x"},
      {"0X", "no hex digits after 0x"},
      {"0x123456789", "more than 8 hex digits"},
      {"0x0000000001", "more than 8 hex digits"},
      {"0x3f80000g", "not a hex digit: 'g'"},
      {"0x1.8p3", "not a hex digit: '.'"},  // a C hex float is not fp32 bits
      {"1.5abc", "not a decimal number"},
      {"1.5 ", "not a decimal number"},  // callers split at spaces; a token has none
      {" 1.5", "not a decimal number"},
      {"\v1.5", "not a decimal number"},
      {"1e", "not a decimal number"},
      {"e5", "not a decimal number"},
      {".", "not a decimal number"},
      {"-", "not a decimal number"},
      {"--1", "not a decimal number"},
      {"nan(123)", "not a decimal number"},  // payload syntax: use 0x bits for a payload
      {"infinit", "not a decimal number"},
      {"+0x1p3", "sign before 0x"},
      {"1,5", "not a decimal number"},
  };
  for (const auto& [token, why] : cases) {
    const std::string e = error_of(token);
    EXPECT_NE(e.find(why), std::string::npos) << "'" << token << "' -> " << e;
    EXPECT_NE(e.find("line 3"), std::string::npos) << e;
  }
}

// Leading and trailing spaces of a line are separators, not part of a value.
TEST(ValueText, LinesSplitAtSpacesTabsCommasAndCarriageReturns) {
  const auto t = split_values("  1.5\t-0x0 , 0x3f800000\r");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0], "1.5");
  EXPECT_EQ(t[1], "-0x0");
  EXPECT_EQ(t[2], "0x3f800000");
  EXPECT_TRUE(split_values(" ,\t\r").empty());
}

TEST(ValueText, PrintedBitsReadBack) {
  for (uint32_t u : {0x00000000u, 0x80000000u, 0x00000001u, 0x7f7fffffu, 0xff800000u, 0x7fc00000u,
                     0xffc00123u}) {
    EXPECT_EQ(hex(u, 8).size(), 10u);
    EXPECT_EQ(bits_of(hex(u, 8)), u);
  }
  EXPECT_EQ(value_bits(u2f(0x7fc00000u)), "NaN");
  EXPECT_EQ(value_bits(-0.0f), "0x80000000");
  EXPECT_EQ(hex(0xa, 1), "0xa");
}

}  // namespace
}  // namespace lowp
