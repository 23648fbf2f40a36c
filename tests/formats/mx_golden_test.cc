// Every MX golden block (OCP exact rule, and microxcaling's quirks) passes through the library.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "formats/scaled.h"
#include "tests/common/gz_lines.h"
#include "util/bits.h"

namespace lowp {
namespace {

uint32_t hex(const std::string& s) {
  return static_cast<uint32_t>(std::strtoul(s.c_str(), nullptr, 16));
}

struct MxCase {
  const char* elem;    // golden file prefix
  const char* format;  // lowp format name
};
constexpr MxCase kCases[] = {{"fp8_e4m3", "mxfp8_e4m3"}, {"fp8_e5m2", "mxfp8_e5m2"},
                             {"fp6_e3m2", "mxfp6_e3m2"}, {"fp6_e2m3", "mxfp6_e2m3"},
                             {"fp4_e2m1", "mxfp4"},      {"int8", "mxint8"}};

// lowp's rounding mode for microxcaling's name of it (also the golden files' infix).
std::string lowp_round(const std::string& mode) {
  return mode == "even" ? "rne" : mode == "nearest" ? "rna" : "rtz";
}

// Runs every block of the golden file `path` through quantize_tensor under format `spec`;
// returns the number of blocks read.
size_t check_blocks(const std::string& path, const std::string& spec) {
  const auto lines = test::read_gz_lines(path);
  EXPECT_GT(lines.size(), 500u) << "missing golden file " << path;
  if (lines.empty()) return 0;
  const auto header = test::split(lines[0], '\t');
  int col_codes = -1;
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == "elem_codes") col_codes = static_cast<int>(i);
  EXPECT_GE(col_codes, 0) << path;
  if (col_codes < 0) return 0;
  const Format f = parse_format(spec);
  int failures = 0;
  for (size_t li = 1; li < lines.size(); ++li) {
    const auto col = test::split(lines[li], '\t');
    const auto in = test::split(col[2], ',');
    const auto want_v = test::split(col[3], ',');
    const auto want_c = test::split(col[col_codes], ',');
    EXPECT_EQ(in.size(), 32u) << path << " line " << li + 1;
    if (in.size() != 32u) return 0;
    float x[32], v[32];
    uint32_t codes[32], scale = 0;
    for (int i = 0; i < 32; ++i) x[i] = u2f(hex(in[i]));
    QuantOut o;
    o.codes = codes;
    o.scales = &scale;
    o.values = v;
    quantize_tensor(f, x, 1, 32, o);
    bool ok = scale == hex(col[1]);
    for (int i = 0; i < 32 && ok; ++i) {
      ok = want_v[i] == "NaN" ? std::isnan(v[i]) : f2u(v[i]) == hex(want_v[i]);
      if (want_c[0] != "-") ok = ok && codes[i] == hex(want_c[i]);
    }
    if (want_c[0] == "-") ok = ok && is_nan_scale(f, scale);
    if (!ok && ++failures <= 3) {
      std::string got;
      for (int i = 0; i < 32; ++i) {
        char b[40];
        std::snprintf(b, sizeof b, "%x/%08x,", codes[i], f2u(v[i]));
        got += b;
      }
      ADD_FAILURE() << path << " block " << col[0] << " (" << spec << "): want scale " << col[1]
                    << " got " << scale << "\n want codes " << col[col_codes] << "\n want vals "
                    << col[3] << "\n got codes  " << got;
    }
  }
  EXPECT_EQ(failures, 0) << path << " (" << lines.size() - 1 << " blocks)";
  return lines.size() - 1;
}

// Runs one shared golden file; `microxcaling` selects that file and the profile.
void check_file(const MxCase& c, const std::string& round, bool microxcaling) {
  const std::string stem =
      std::string(c.elem) + "_" + round + (microxcaling ? "_microxcaling" : "_ocp");
  std::string spec = std::string(c.format) + ":round=" + lowp_round(round);
  if (microxcaling) spec += ":profile=microxcaling";
  check_blocks(test::shared_dir() + "/testdata/formats/mx/" + stem + ".tsv.gz", spec);
}

TEST(MxGolden, OcpExactRuleAllElementsAllRoundings) {
  for (const auto& c : kCases)
    for (const char* r : {"even", "nearest", "floor"}) check_file(c, r, false);
}

TEST(MxGolden, MicroxcalingProfile) {
  for (const auto& c : kCases) check_file(c, "nearest", true);
}

// tests/data/mx_microxcaling (scripts/gen_microxcaling_golden.py): microxcaling itself in each of
// its rounding modes, on the shared inputs plus blocks just below powers of two.
TEST(MxGolden, MicroxcalingProfileEveryRounding) {
  for (const auto& c : kCases)
    for (const char* mode : {"even", "nearest", "floor"}) {
      const std::string path = std::string(LOWP_SOURCE_DIR) + "/tests/data/mx_microxcaling/" +
                               c.elem + "_" + mode + "_microxcaling.tsv.gz";
      const size_t blocks = check_blocks(
          path, std::string(c.format) + ":round=" + lowp_round(mode) + ":profile=microxcaling");
      EXPECT_GT(blocks, 1100u) << path;  // the shared inputs and the extra blocks
    }
}

}  // namespace
}  // namespace lowp
