// Every golden elementwise vector (ml_dtypes) must pass bit for bit through the library API.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "formats/element.h"
#include "tests/common/gz_lines.h"
#include "util/bits.h"

namespace lowp {
namespace {

struct GoldenType {
  const char* file;
  ElementFormat fmt;
};

std::vector<GoldenType> golden_types() {
  return {
      {"float8_e4m3fn", make_minifloat(4, 3, Specials::fn)},
      {"float8_e4m3", make_minifloat(4, 3, Specials::ieee)},
      {"float8_e5m2", make_minifloat(5, 2, Specials::ieee)},
      {"float8_e4m3fnuz", make_minifloat(4, 3, Specials::fnuz)},
      {"float8_e5m2fnuz", make_minifloat(5, 2, Specials::fnuz)},
      {"float8_e4m3b11fnuz", make_minifloat(4, 3, Specials::fnuz, 11)},
      {"float8_e3m4", make_minifloat(3, 4, Specials::ieee)},
      {"float6_e2m3fn", make_minifloat(2, 3, Specials::finite)},
      {"float6_e3m2fn", make_minifloat(3, 2, Specials::finite)},
      {"float4_e2m1fn", make_minifloat(2, 1, Specials::finite)},
      {"float8_e8m0fnu", make_e8m0()},
      {"bfloat16", make_minifloat(8, 7, Specials::ieee)},
      {"half", make_minifloat(5, 10, Specials::ieee)},
  };
}

// (file stem, in_bits) -> the nearest-value code lowp gives instead of ml_dtypes' answer.
std::map<std::pair<std::string, uint32_t>, uint32_t> known_deviations() {
  std::map<std::pair<std::string, uint32_t>, uint32_t> dev;
  const auto lines = test::read_gz_lines(
      test::shared_dir() + "/testdata/formats/elementwise/known_deviations_ml_dtypes.tsv");
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto c = test::split(lines[i], '\t');
    std::string stem = c[0].substr(std::string("elementwise_").size());
    stem = stem.substr(0, stem.size() - 4);  // drop ".tsv"
    dev[{stem, static_cast<uint32_t>(std::strtoul(c[1].c_str(), nullptr, 16))}] =
        static_cast<uint32_t>(std::strtoul(c[3].c_str(), nullptr, 16));
  }
  return dev;
}

struct Mode {
  const char* suffix;
  Round round;
  bool saturate;
};

TEST(ElementGolden, EveryFileBitExactWithMlDtypesProfile) {
  const auto dev = known_deviations();
  EXPECT_EQ(dev.size(), 42u);
  const Mode modes[] = {{"rne", Round::rne, false},
                        {"rne_sat", Round::rne, true},
                        {"rtz", Round::rtz, false},
                        {"rtz_sat", Round::rtz, true}};
  size_t files = 0, rows_checked = 0, deviations_used = 0;
  for (const auto& t : golden_types()) {
    for (const auto& m : modes) {
      const std::string stem = std::string(t.file) + "_" + m.suffix;
      const auto lines = test::read_gz_lines(test::shared_dir() + "/testdata/formats/elementwise/" +
                                             stem + ".tsv.gz");
      ASSERT_GT(lines.size(), 100u) << "missing or empty golden file " << stem;
      ASSERT_EQ(lines[0], "in_bits\tout_code\tout_value_bits");
      ++files;
      CastOptions o;
      o.round = m.round;
      o.saturate = m.saturate;
      o.profile = Profile::ml_dtypes;
      int failures = 0;
      for (size_t i = 1; i < lines.size(); ++i) {
        const auto c = test::split(lines[i], '\t');
        ASSERT_EQ(c.size(), 3u) << stem << " line " << i + 1;
        const uint32_t in = static_cast<uint32_t>(std::strtoul(c[0].c_str(), nullptr, 16));
        uint32_t want = static_cast<uint32_t>(std::strtoul(c[1].c_str(), nullptr, 16));
        auto it = dev.find({stem, in});
        if (it != dev.end()) {
          want = it->second;
          ++deviations_used;
        }
        const uint32_t got = encode(t.fmt, u2f(in), o);
        const float value = decode(t.fmt, got);
        const bool value_ok = c[2] == "NaN" ? std::isnan(value)
                                            : f2u(value) == std::strtoul(c[2].c_str(), nullptr, 16);
        if (got != want || (it == dev.end() && !value_ok)) {
          if (++failures <= 5)
            ADD_FAILURE() << stem << " line " << i + 1 << ": in " << c[0] << " want code " << c[1]
                          << " value " << c[2] << ", got code 0x" << std::hex << got << " value 0x"
                          << f2u(value);
        }
        ++rows_checked;
      }
      EXPECT_EQ(failures, 0) << stem;
    }
  }
  EXPECT_EQ(files, 52u);
  EXPECT_GT(deviations_used, 0u);  // the other deviation inputs are not among the shipped rows
  EXPECT_GT(rows_checked, 500000u);
}

// Each documented ml_dtypes deviation: lowp gives the nearest value (checked on all 42 rows).
TEST(ElementGolden, KnownDeviationsGiveNearest) {
  const auto dev = known_deviations();
  ASSERT_EQ(dev.size(), 42u);
  for (const auto& [key, nearest] : dev) {
    ASSERT_EQ(key.first.rfind("float8_e8m0fnu_", 0), 0u) << key.first;
    CastOptions o;
    o.profile = Profile::ml_dtypes;
    o.saturate = key.first.ends_with("_sat");
    EXPECT_EQ(encode(make_e8m0(), u2f(key.second), o), nearest) << key.first << " " << key.second;
    // The nearest answer really is nearer: |x - 2^-127| < |x - 2^-126|.
    const double x = u2f(key.second);
    EXPECT_LT(std::abs(x - std::ldexp(1.0, -127)), std::abs(x - std::ldexp(1.0, -126)));
  }
}

}  // namespace
}  // namespace lowp
