// The `lowp` command-line contract: golden files through cast/quantize, files, and bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/common/gz_lines.h"

namespace lowp {
namespace {

#if defined(__SANITIZE_ADDRESS__)
#define LOWP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOWP_ASAN 1
#endif
#endif

// Address-space limit for commands that could run away on a regression (AddressSanitizer needs
// more address space than any such limit).
#ifdef LOWP_ASAN
const char* const kMemoryLimit = "";
#else
const char* const kMemoryLimit = "ulimit -v 4000000;";
#endif

struct Result {
  int exit_code;
  std::string out, err;
};

// Per-process names: ctest runs the tests of this binary in parallel processes.
std::string tmp(const std::string& name) {
  return testing::TempDir() + "lowp_cli_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs `lowp ARGS` with `input` on stdin; `shell_setup` (e.g. "ulimit -v 100000;") runs first in
// the same shell.
Result run(const std::string& args, const std::string& input = "",
           const std::string& shell_setup = "") {
  const std::string in = tmp("stdin"), out = tmp("stdout"), err = tmp("stderr");
  std::ofstream(in, std::ios::binary) << input;
  const std::string cmd = "sh -c '" + shell_setup + " exec " + std::string(LOWP_BINARY_DIR) +
                          "/cli/lowp " + args + "' < " + in + " > " + out + " 2> " + err;
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

std::vector<std::string> lines_of(const std::string& s) {
  return test::split(s.substr(0, s.size() - (s.empty() ? 0 : 1)), '\n');
}

TEST(CliCast, ReproducesEveryElementwiseGoldenFile) {
  const std::pair<const char*, const char*> types[] = {{"float8_e4m3fn", "e4m3"},
                                                       {"float8_e4m3", "e4m3_ieee"},
                                                       {"float8_e5m2", "e5m2"},
                                                       {"float8_e4m3fnuz", "e4m3fnuz"},
                                                       {"float8_e5m2fnuz", "e5m2fnuz"},
                                                       {"float8_e4m3b11fnuz", "e4m3b11fnuz"},
                                                       {"float8_e3m4", "e3m4"},
                                                       {"float6_e2m3fn", "e2m3"},
                                                       {"float6_e3m2fn", "e3m2"},
                                                       {"float4_e2m1fn", "e2m1"},
                                                       {"float8_e8m0fnu", "e8m0"},
                                                       {"bfloat16", "bf16"},
                                                       {"half", "fp16"}};
  const std::pair<const char*, const char*> modes[] = {{"rne", ""},
                                                       {"rne_sat", " --saturate"},
                                                       {"rtz", " --round rtz"},
                                                       {"rtz_sat", " --round rtz --saturate"}};
  // Deviation rows (in_bits) per file, where lowp gives the nearest value instead.
  std::set<std::string> deviations;
  for (const auto& l : test::read_gz_lines(
           test::shared_dir() + "/testdata/formats/elementwise/known_deviations_ml_dtypes.tsv")) {
    const auto c = test::split(l, '\t');
    deviations.insert(c[0] + "|" + c[1]);
  }
  int files = 0;
  for (const auto& [file, name] : types) {
    for (const auto& [mode, flags] : modes) {
      const std::string stem = std::string(file) + "_" + mode;
      const auto golden = test::read_gz_lines(test::shared_dir() +
                                              "/testdata/formats/elementwise/" + stem + ".tsv.gz");
      ASSERT_GT(golden.size(), 100u) << stem;
      std::string input;
      for (size_t i = 1; i < golden.size(); ++i) input += test::split(golden[i], '\t')[0] + "\n";
      const Result r = run(std::string("cast ") + name + " --profile ml_dtypes" + flags, input);
      ASSERT_EQ(r.exit_code, 0) << stem << ": " << r.err;
      const auto got = lines_of(r.out);
      ASSERT_EQ(got.size(), golden.size() - 1) << stem;
      int mismatches = 0;
      for (size_t i = 1; i < golden.size(); ++i) {
        if (got[i - 1] == golden[i]) continue;
        const std::string in = test::split(golden[i], '\t')[0];
        if (deviations.count("elementwise_" + stem + ".tsv|" + in)) continue;
        if (++mismatches <= 3)
          ADD_FAILURE() << stem << " line " << i + 1 << ": want " << golden[i] << " got "
                        << got[i - 1];
      }
      EXPECT_EQ(mismatches, 0) << stem;
      ++files;
    }
  }
  EXPECT_EQ(files, 52);
}

TEST(CliQuantize, ReproducesEveryMxGoldenBlock) {
  const std::pair<const char*, const char*> elems[] = {
      {"fp8_e4m3", "mxfp8_e4m3"}, {"fp8_e5m2", "mxfp8_e5m2"}, {"fp6_e3m2", "mxfp6_e3m2"},
      {"fp6_e2m3", "mxfp6_e2m3"}, {"fp4_e2m1", "mxfp4"},      {"int8", "mxint8"}};
  for (const auto& [elem, name] : elems) {
    for (const std::string suffix :
         {"even_ocp", "nearest_ocp", "floor_ocp", "nearest_microxcaling"}) {
      const std::string stem = std::string(elem) + "_" + suffix;
      const auto golden =
          test::read_gz_lines(test::shared_dir() + "/testdata/formats/mx/" + stem + ".tsv.gz");
      ASSERT_GT(golden.size(), 500u) << stem;
      const auto header = test::split(golden[0], '\t');
      const size_t codes_col =
          std::find(header.begin(), header.end(), "elem_codes") - header.begin();
      std::string input;
      for (size_t i = 1; i < golden.size(); ++i) input += test::split(golden[i], '\t')[2] + "\n";
      const std::string round = suffix.substr(0, suffix.find('_'));
      std::string args = std::string("quantize ") + name + " --round " + round;
      if (suffix.ends_with("microxcaling")) args += " --profile microxcaling";
      const Result r = run(args, input);
      ASSERT_EQ(r.exit_code, 0) << stem << ": " << r.err;
      const auto got = lines_of(r.out);
      ASSERT_EQ(got.size(), golden.size() - 1);
      int mismatches = 0;
      for (size_t i = 1; i < golden.size(); ++i) {
        const auto want = test::split(golden[i], '\t');
        const auto have = test::split(got[i - 1], '\t');
        ASSERT_EQ(have.size(), 3u);
        bool ok = have[0] == want[1] && have[2] == want[3];
        // A NaN block's codes are printed '-' per element; the golden file writes one '-'.
        ok = ok && (want[codes_col] == "-" ? have[1].find_first_not_of("-,") == std::string::npos
                                           : have[1] == want[codes_col]);
        if (!ok && ++mismatches <= 3)
          ADD_FAILURE() << stem << " block " << want[0] << "\n want " << golden[i] << "\n got  "
                        << got[i - 1];
      }
      EXPECT_EQ(mismatches, 0) << stem;
    }
  }
}

// tests/data/mx_microxcaling: microxcaling in each of its rounding modes, every block through
// `lowp quantize --profile microxcaling --round even|nearest|floor`.
TEST(CliQuantize, ReproducesMicroxcalingGoldenFilesInEveryMode) {
  const std::pair<const char*, const char*> elems[] = {
      {"fp8_e4m3", "mxfp8_e4m3"}, {"fp8_e5m2", "mxfp8_e5m2"}, {"fp6_e3m2", "mxfp6_e3m2"},
      {"fp6_e2m3", "mxfp6_e2m3"}, {"fp4_e2m1", "mxfp4"},      {"int8", "mxint8"}};
  for (const auto& [elem, name] : elems) {
    for (const std::string mode : {"even", "nearest", "floor"}) {
      const std::string stem = std::string(elem) + "_" + mode + "_microxcaling";
      const auto golden = test::read_gz_lines(std::string(LOWP_SOURCE_DIR) +
                                              "/tests/data/mx_microxcaling/" + stem + ".tsv.gz");
      ASSERT_GT(golden.size(), 1100u) << stem;
      ASSERT_EQ(test::split(golden[0], '\t')[5], "elem_codes") << stem;
      std::string input;
      for (size_t i = 1; i < golden.size(); ++i) input += test::split(golden[i], '\t')[2] + "\n";
      const Result r = run(
          std::string("quantize ") + name + " --round " + mode + " --profile microxcaling", input);
      ASSERT_EQ(r.exit_code, 0) << stem << ": " << r.err;
      const auto got = lines_of(r.out);
      ASSERT_EQ(got.size(), golden.size() - 1) << stem;
      int mismatches = 0;
      for (size_t i = 1; i < golden.size(); ++i) {
        const auto want = test::split(golden[i], '\t');
        const auto have = test::split(got[i - 1], '\t');
        ASSERT_EQ(have.size(), 3u) << stem;
        const bool ok = have[0] == want[1] && have[2] == want[3] &&
                        (want[5] == "-" ? have[1].find_first_not_of("-,") == std::string::npos
                                        : have[1] == want[5]);
        if (!ok && ++mismatches <= 3)
          ADD_FAILURE() << stem << " block " << want[0] << "\n want " << golden[i] << "\n got  "
                        << got[i - 1];
      }
      EXPECT_EQ(mismatches, 0) << stem;
    }
  }
}

TEST(CliCast, IeeeRoundTowardZeroWithoutProfile) {
  // Without the profile, rtz is IEEE round-toward-zero: finite overflow gives max finite.
  const Result r = run("cast e4m3 --round rtz", "500\n-1e30\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "0x43fa0000\t0x7e\t0x43e00000\n0xf149f2ca\t0xfe\t0xc3e00000\n");
  EXPECT_EQ(run("cast e2m1", "nan\n").out, "0x7fc00000\t0x0\t0x00000000\n");  // lowp default: +0
  EXPECT_EQ(run("cast bf16", "0.1\n").out, "0x3dcccccd\t0x3dcd\t0x3dcd0000\n");
}

TEST(CliFormats, ListsEveryNamedFormat) {
  const Result r = run("formats");
  ASSERT_EQ(r.exit_code, 0);
  for (const char* n :
       {"e4m3",       "e4m3_ieee",  "e5m2",  "e4m3fnuz", "e5m2fnuz",   "e4m3b11fnuz",
        "e3m4",       "e3m2",       "e2m3",  "e2m1",     "e8m0",       "ue4m3",
        "bf16",       "fp16",       "tf32",  "int4",     "mxfp8_e4m3", "mxfp8_e5m2",
        "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4", "mxint8",   "nvfp4"})
    EXPECT_NE(r.out.find(std::string("\n") + n + " "), std::string::npos) << n;
  EXPECT_NE(r.out.find("448"), std::string::npos);
}

// --cpu and --version say which paths run; LOWP_MAX_ISA moves them, and a bad value is an error.
TEST(CliFormats, CpuReportsThePathsInUse) {
  for (const char* args : {"formats --cpu", "--version"}) {
    const Result r = run(args);
    ASSERT_EQ(r.exit_code, 0) << args << ": " << r.err;
    for (const char* key : {"cpu features: ", "simd target: ", "gemm: "})
      EXPECT_NE(r.out.find(key), std::string::npos) << args << " lacks " << key << ":\n" << r.out;
  }
  const Result capped = run("formats --cpu", "", "LOWP_MAX_ISA=AVX2");
  ASSERT_EQ(capped.exit_code, 0) << capped.err;
  EXPECT_NE(capped.out.find("simd target: AVX2\n"), std::string::npos) << capped.out;
  EXPECT_NE(capped.out.find("gemm: fp32 only (oneDNN avx2;"), std::string::npos) << capped.out;
  const Result bad = run("formats", "", "LOWP_MAX_ISA=AVX9");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("LOWP_MAX_ISA=AVX9 is not a known instruction set"), std::string::npos)
      << bad.err;
}

// The bytes of a .npy of fp32 `vals` with header shape `shape` (Python tuple text).
std::string npy_file(const std::string& shape, const std::vector<float>& vals) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size());
  bytes += '\x00';
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(vals.data()), vals.size() * sizeof(float));
  return bytes;
}

TEST(CliFiles, QuantizeDequantizeRoundTrip) {
  // A .npy written by hand (header + 6 floats), quantized to safetensors and decoded back.
  const std::string npy = tmp("x.npy"), st = tmp("y.safetensors"), back = tmp("z.npy");
  std::ofstream(npy, std::ios::binary)
      << npy_file("(2, 3)", {0.5f, -1.25f, 3.0f, 7.0f, 0.1f, -6.5f});
  Result r = run("quantize e2m1 --in " + npy + " --out " + st);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run("dequantize --in " + st + " --out " + back);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = slurp(back);
  ASSERT_EQ(out.size(), 128u + 24u);
  float got[6];
  std::memcpy(got, out.data() + 128, sizeof got);
  const float want[6] = {0.5f, -1.0f, 3.0f, 6.0f, 0.0f, -6.0f};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(got[i], want[i]) << i;
}

// Every error exits non-zero with one line saying what and where, and leaves no output file.
TEST(CliErrors, BadInputGetsOneClearLine) {
  struct Case {
    std::string args, input, mention;
  };
  std::string seventeen;
  for (int i = 0; i < 16; ++i) seventeen += "1.0\n";
  seventeen += "1.0x\n";
  const Case cases[] = {
      {"cast e9m9", "1\n", "e9m9"},
      {"cast e4m3 --round sideways", "1\n", "sideways"},
      {"cast e4m3", seventeen, "line 17"},
      {"cast e4m3", "1 2\n", "line 1"},
      {"cast mxfp4", "1\n", "lowp quantize"},
      {"quantize mxfp4 --scale bogus", "1\n", "bogus"},
      {"quantize mxfp4", "1,2,,zz\n", "'zz'"},
      {"quantize nvfp4 --in /nonexistent/x.npy --out " + tmp("never.safetensors"), "",
       "/nonexistent/x.npy"},
      {"dequantize --in /nonexistent/y.safetensors --out " + tmp("never.npy"), "",
       "/nonexistent/y.safetensors"},
      {"error e4m3 --dist cauchy", "", "cauchy"},
      {"cast e4m3 --profile pytorch", "1\n", "ml_dtypes"},
      {"cast e4m3 --bogus", "1\n", "--bogus"},
      {"", "", "subcommand"},
      {"error e4m3 --n abc", "", "abc"},
      {"cast e4m3", "1\n-0x3f800000\n", "line 2: cannot read '-0x3f800000'"},
      {"cast e4m3", "0x\n", "no hex digits after 0x"},
      {"cast e4m3", "0x123456789\n", "more than 8 hex digits"},
      {"cast e4m3", "1.5abc\n", "'1.5abc'"},
      {"cast e4m3", "nan(1)\n", "'nan(1)'"},
      {"quantize e4m3 --block 0", "1 2\n", "--block 0: needs a block size of 1 or more"},
      {"quantize e4m3 --block -32", "1 2\n", "--block -32: needs a block size of 1 or more"},
      {"error e4m3 --block 0", "", "--block 0"},
      {"cast e2m1 --round sr --seed -3", "1\n", "--seed -3: needs a seed of 0 or more"},
      {"cast e2m1:round=sr --round rne", "1\n", "option 'round=rne' sets the rounding again"},
      {"cast e2m1:round=sr:seed=7 --seed 8", "1\n", "sets the seed again"},
      {"quantize mxfp4:block=16 --block 32", "1\n", "scaling granularity again"},
  };
  for (const auto& c : cases) {
    const Result r = run(c.args, c.input);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.err.find(c.mention), std::string::npos) << c.args << " -> " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.args << " -> " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args << " printed partial output";
  }
  EXPECT_FALSE(std::ifstream(tmp("never.safetensors")).good());
  EXPECT_FALSE(std::ifstream(tmp("never.npy")).good());
  // A malformed safetensors file is rejected and the .npy target is not created.
  std::ofstream(tmp("bad.safetensors"), std::ios::binary) << "garbage!";
  const Result r = run("dequantize --in " + tmp("bad.safetensors") + " --out " + tmp("never2.npy"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::ifstream(tmp("never2.npy")).good());
}

// The value reader's contract as README states it: decimals, inf/nan words, 0x bits with the
// sign in the bits; spaces around a value are separators.
TEST(CliCast, ReadsDecimalsWordsAndUnsignedHexBits) {
  const Result r = run("cast bf16", "-0\n 0xbf800000 \n-1\n-inf\n1e39\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "0x80000000\t0x8000\t0x80000000\n"
            "0xbf800000\t0xbf80\t0xbf800000\n"
            "0xbf800000\t0xbf80\t0xbf800000\n"
            "0xff800000\t0xff80\t0xff800000\n"
            "0x7f800000\t0x7f80\t0x7f800000\n");
}

// --block sets the block size (it used to be dropped when not positive).
TEST(CliQuantize, BlockOptionTakesEffect) {
  auto scale_count = [](const std::string& block) {
    const Result r = run("quantize e4m3 --scale e8m0 --block " + block, "1 2 3 4\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string scales = r.out.substr(0, r.out.find('\t'));
    return scales.empty() ? 0 : 1 + std::count(scales.begin(), scales.end(), ',');
  };
  EXPECT_EQ(scale_count("2"), 2);
  EXPECT_EQ(scale_count("4"), 1);
  EXPECT_EQ(scale_count("1"), 4);
}

// A .npy of fp32 values written by hand: a 1 x n array.
void write_npy(const std::string& path, const std::vector<float>& vals) {
  std::ofstream(path, std::ios::binary)
      << npy_file("(1, " + std::to_string(vals.size()) + ")", vals);
}

// The value of `key value` on its own line of `out` ("" when absent).
std::string field(const std::string& out, const std::string& key) {
  for (const auto& line : lines_of(out))
    if (line.rfind(key + " ", 0) == 0) return line.substr(key.size() + 1);
  return "";
}

// inf/NaN inputs are counted and left out, and so are the finite values of their blocks (now
// NaN): the figures are those of the other values, never mse nan beside sqnr_db inf.
TEST(CliError, NonFiniteInputsAreCountedAndExcluded) {
  std::vector<float> vals(64);
  for (size_t i = 0; i < vals.size(); ++i) vals[i] = 0.3f * static_cast<float>(i % 9) - 1.1f;
  const std::vector<float> clean(vals.begin() + 32, vals.end());
  vals[3] = INFINITY;
  vals[9] = -INFINITY;
  write_npy(tmp("inf.npy"), vals);
  write_npy(tmp("clean.npy"), clean);
  const Result r = run("error mxfp4 --in " + tmp("inf.npy"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(field(r.out, "n"), "32") << r.out;
  EXPECT_EQ(field(r.out, "nonfinite").substr(0, 2), "2 ") << r.out;
  EXPECT_EQ(field(r.out, "nonfinite_outputs").substr(0, 3), "30 ") << r.out;
  const Result c = run("error mxfp4 --in " + tmp("clean.npy"));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const char* key : {"mse", "rel_mse", "sqnr_db"}) {
    EXPECT_EQ(field(r.out, key), field(c.out, key)) << key;
    EXPECT_EQ(field(r.out, key).find("nan"), std::string::npos) << key;
  }
  EXPECT_GT(std::stod(field(r.out, "mse")), 0) << r.out;  // values e2m1 cannot hold exactly
  write_npy(tmp("allinf.npy"), {INFINITY, NAN});
  const Result none = run("error e4m3 --in " + tmp("allinf.npy"));
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("nothing to measure"), std::string::npos) << none.err;
}

TEST(CliError, ReportsErrorStatistics) {
  const Result r = run("error mxfp4 --round sr --n 65536");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* key :
       {"mse ", "rel_mse ", "sqnr_db ", "frac_saturated ", "frac_flushed ", "mean_signed_error "})
    EXPECT_NE(r.out.find(key), std::string::npos) << key;
}

// 0-d arrays keep shape () and empty arrays of a scaled format go through quantize/dequantize.
TEST(CliFiles, ScalarAndEmptyArraysKeepTheirShape) {
  const std::string npy = tmp("s.npy"), st = tmp("s.safetensors"), back = tmp("s_back.npy");
  for (const auto& [shape, n, format] :
       {std::tuple<std::string, size_t, std::string>{"()", 1, "e2m1"},
        {"()", 1, "nvfp4"},
        {"(0, 32)", 0, "mxfp4"},
        {"(0, 32)", 0, "nvfp4"},
        {"(3, 0)", 0, "mxfp8_e4m3"}}) {
    SCOPED_TRACE(format + " " + shape);
    std::ofstream(npy, std::ios::binary) << npy_file(shape, std::vector<float>(n, 3.0f));
    Result r = run("quantize " + format + " --in " + npy + " --out " + st);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run("dequantize --in " + st + " --out " + back);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string out = slurp(back);
    EXPECT_NE(out.find("'shape': " + (shape == "()" ? "()" : shape) + ","), std::string::npos)
        << out.substr(0, 128);
    ASSERT_EQ(out.size(), 128 + 4 * n);
    if (format == "e2m1") {  // 3 is an e2m1 value
      float v;
      std::memcpy(&v, out.data() + 128, 4);
      EXPECT_EQ(v, 3.0f);
    }
  }
}

// --out naming the --in file (by any path: another spelling, a hard link) is refused unless
// --force, which then replaces the input with the output.
TEST(CliFiles, OutputOverInputNeedsForce) {
  const std::string npy = tmp("same.npy"), st = tmp("same.safetensors");
  const std::string npy_bytes = npy_file("(2, 3)", {0.5f, -1.25f, 3.0f, 7.0f, 0.1f, -6.5f});
  std::ofstream(npy, std::ios::binary) << npy_bytes;
  ASSERT_EQ(run("quantize e4m3 --in " + npy + " --out " + st).exit_code, 0);
  const std::string st_bytes = slurp(st);
  const std::string dir = npy.substr(0, npy.find_last_of('/'));
  const std::string other_spelling = dir + "/./" + npy.substr(npy.find_last_of('/') + 1);
  const std::string hard = tmp("hard.safetensors");
  std::remove(hard.c_str());
  ASSERT_EQ(::link(st.c_str(), hard.c_str()), 0);
  for (const std::string& args :
       {"quantize e4m3 --in " + npy + " --out " + npy,
        "quantize e4m3 --in " + npy + " --out " + other_spelling,
        "dequantize --in " + st + " --out " + st, "dequantize --in " + st + " --out " + hard}) {
    const Result r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.err.find("is the input file"), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  }
  EXPECT_EQ(slurp(npy), npy_bytes);
  EXPECT_EQ(slurp(st), st_bytes);
  // With --force the input is replaced by the output.
  Result r = run("dequantize --in " + hard + " --out " + hard + " --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(hard).substr(0, 6), "\x93NUMPY");
  r = run("quantize e4m3 --in " + npy + " --out " + npy + " --force");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(npy), st_bytes);
}

// A write that cannot complete is an error naming the file; an existing file stays as it was.
TEST(CliFiles, FailedWriteNamesTheFileAndKeepsTheOld) {
  const std::string npy = tmp("big.npy"), st = tmp("big.safetensors"), out = tmp("big_out.npy");
  std::ofstream(npy, std::ios::binary) << npy_file("(1024,)", std::vector<float>(1024, 1.5f));
  ASSERT_EQ(run("quantize e4m3 --in " + npy + " --out " + st).exit_code, 0);
  Result r = run("dequantize --in " + st + " --out /dev/full");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/dev/full"), std::string::npos) << r.err;
  // The file size limit (512-byte blocks) stands in for a full disk; it binds root too.
  std::ofstream(out, std::ios::binary) << "old";
  r = run("dequantize --in " + st + " --out " + out, "", "trap \"\" XFSZ; ulimit -f 2;");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out), "old");
}

// Hostile inputs end quickly with a clear error, never an internal one or a hang.
TEST(CliFiles, HostileInputsGetClearErrors) {
  const std::string huge = tmp("huge.npy"), dir = tmp("a_dir");
  std::ofstream(huge, std::ios::binary) << npy_file("(99999999999999999999999,)", {});
  std::remove(dir.c_str());
  ASSERT_EQ(::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST, true);
  const std::pair<std::string, std::string> cases[] = {
      {"error e4m3 --in /dev/zero", "/dev/zero"},
      {"error e4m3 --in " + huge, "'shape'"},
      {"quantize e4m3 --in " + huge + " --out " + tmp("never3.st"), "'shape'"},
      {"error e4m3 --in " + dir, "is a directory"},
      {"dequantize --in " + dir + " --out " + tmp("never3.npy"), "is a directory"},
  };
  for (const auto& [args, mention] : cases) {
    // CPU seconds and memory limited: a regression that reads forever fails instead of hanging.
    const Result r = run(args, "", std::string("ulimit -t 20;") + kMemoryLimit);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find(mention), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(r.err.find("internal"), std::string::npos) << r.err;
  }
}

// Running out of memory is reported as such, not as an internal error.
TEST(CliErrors, OutOfMemoryIsNamed) {
#ifdef LOWP_ASAN
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the limit allows";
#endif
  const Result r = run("error e4m3 --n 2147483648", "", "ulimit -v 1000000;");  // 1 GB; needs 8
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("out of memory while running `lowp error`"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lowp
