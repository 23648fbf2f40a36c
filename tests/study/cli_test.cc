// The `lowp law` / `lowp fit` command-line contract, run on the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "study/law.h"

namespace lowp::study {
namespace {

struct Result {
  std::string out, err;
  int code = -1;
};

// A per-process temporary path: ctest may run these tests in parallel processes.
std::string temp(const std::string& name) {
  return ::testing::TempDir() + "lowp_study_" + std::to_string(getpid()) + "_" + name;
}

// Runs `lowp <args>`, capturing stdout, stderr and the exit code.
Result lowp(const std::string& args) {
  const std::string err_path = temp("stderr.txt");
  const std::string cmd = std::string(LOWP_BINARY_DIR) + "/cli/lowp " + args + " 2>" + err_path;
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

std::string last_line(const std::string& s) {
  const size_t end = s.find_last_not_of('\n');
  const size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1,
                  end - (start == std::string::npos ? 0 : start + 1) + 1);
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Cli, PredictPrintsTheLossAloneOnTheLastLine) {
  const Result r = lowp("law predict sun2025 --N 1e8 --D 3e10 --format e4m3:block=128");
  ASSERT_EQ(r.code, 0) << r.err;
  LawInput x;
  x.N = 1e8, x.D = 3e10, x.prec = {4, 3, 128};
  char want[32];
  std::snprintf(want, sizeof want, "%.8f", sun2025_law().loss(sun2025_law().sets()[0].values, x));
  EXPECT_EQ(last_line(r.out), want);
  EXPECT_FALSE(has(r.out, "extrapolation:"));  // inside Sun's fitted range

  const Result far = lowp("law predict sun2025 --N 1e6 --D 1e8 --format bf16:block=128");
  ASSERT_EQ(far.code, 0) << far.err;
  EXPECT_EQ(last_line(far.out), "9.65122649");  // laws.md: 9.65 nats
  EXPECT_TRUE(has(far.out, "\nextrapolation: N = 1e+06 is outside"));
  EXPECT_TRUE(has(far.out, "\nextrapolation: D = 1e+08 is outside"));

  EXPECT_EQ(
      last_line(
          lowp("law predict kumar2024 --N 1e8 --D 1e10 --bits-w 8 --bits-a 8 --bits-kv 8").out),
      last_line(lowp("law predict kumar2024 --N 1e8 --D 1e10 --format e4m3").out));
  EXPECT_EQ(lowp("law predict quartet --N 1e8 --D 1e10 --eff-n 0.65 --eff-d 0.95").code, 0);
  EXPECT_EQ(lowp("law predict chinchilla:epoch --N 1e9 --D 2e10").code, 0);
}

TEST(Cli, DerivedAnswersOfThePapers) {
  const Result s = lowp("law best-split sun2025 --bits 8");
  EXPECT_TRUE(has(s.out, "best split of 8 bits (sign included): e4m3")) << s.out;
  EXPECT_TRUE(has(s.out, "runner-up: e3m4, penalty ratio 1.06")) << s.out;
  for (const auto& [fmt, want] : {std::pair{"bf16:block=128", "(1730T)"},
                                  {"e4m3:block=128", "(27.33T)"},
                                  {"e2m1:block=128", "(0.3928T)"}}) {
    const Result c = lowp(std::string("law critical-data sun2025 --N 1e9 --format ") + fmt);
    EXPECT_TRUE(has(c.out, want)) << c.out;
    EXPECT_TRUE(has(c.out, "extrapolation: N = 1e+09")) << c.out;
  }
  EXPECT_TRUE(has(lowp("law optimal-precision sun2025 --compute 1e21").out,
                  "optimal precision: 4 bits, layout e2m1, Bs 128 (continuous optimum 4.19 bits)"));
  EXPECT_TRUE(has(lowp("law optimal-precision sun2025 --compute 1e25").out,
                  "optimal precision: 5 bits, layout e2m2, Bs 128 (continuous optimum 5.31 bits)"));
  EXPECT_TRUE(has(lowp("law optimal-precision sun2025 --compute 1e31").out,
                  "optimal precision: 8 bits, layout e4m3, Bs 128 (continuous optimum 7.58 bits)"));
  EXPECT_TRUE(
      has(lowp("law optimal-precision kumar2024 --compute 1e22").out, "optimal precision: 7.00"));
  const Result show = lowp("law show chinchilla");
  for (const char* name : {"E ", "A ", "B ", "alpha", "beta", "epoch", "Hoffmann", "fitted range"})
    EXPECT_TRUE(has(show.out, name)) << name;
}

TEST(Cli, BadInputExitsNonZeroWithAClearError) {
  for (const char* args :
       {"law predict chinchila --N 1e9 --D 1e10", "law predict chinchilla --N -5 --D 1e10",
        "law predict sun2025 --N 1e9 --D 1e10 --format e4m9x", "law best-split chinchilla --bits 8",
        "law optimal-precision kaplan --compute 1e21"}) {
    const Result r = lowp(args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_TRUE(has(r.err, "lowp: error: ")) << args << ": " << r.err;
  }
  const std::string csv = temp("bad.csv");
  std::ofstream(csv) << "N,D,loss\n1e8,1e10,3.1\n";
  Result r = lowp("fit chinchilla --data " + csv);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "lacks column(s) format")) << r.err;
  std::ofstream(csv) << "N,D,format,loss\n0,1e10,bf16,3.1\n";
  r = lowp("fit chinchilla --data " + csv);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "N must be positive")) << r.err;
  EXPECT_NE(lowp("law predict chinchilla --N abc --D 1e10").code, 0);
}

// A fit of synthetic Chinchilla runs from `lowp law sample`: the report, the JSON contract,
// and reading the fit back into `lowp law`.
TEST(Cli, FitWritesConstantsWithIntervals) {
  const Law& law = chinchilla_law();
  const std::string csv = temp("chin.csv"), json = temp("fit.json");
  const Result sampled = lowp(
      "law sample chinchilla --N 7e7,2e8,6e8,2e9,6e9,1.6e10 --D 5e9,2e10,8e10,2e11,5e11 "
      "--format bf16 --noise 0.005 --seeds 2 --seed 11");
  ASSERT_EQ(sampled.code, 0) << sampled.err;
  EXPECT_EQ(std::count(sampled.out.begin(), sampled.out.end(), '\n'), 61);  // header + 60 runs
  std::ofstream(csv) << sampled.out;
  const Result r =
      lowp("fit chinchilla --data " + csv + " --bootstrap 20 --starts 64 --out " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "held out largest-N")) << r.out;
  EXPECT_TRUE(has(r.out, "held out largest-D")) << r.out;
  EXPECT_TRUE(has(r.out, "reached by")) << r.out;
  const auto j = nlohmann::json::parse(std::ifstream(json));
  EXPECT_EQ(j["law"], "chinchilla");
  for (const char* name : {"E", "A", "B", "alpha", "beta"}) {
    const auto& c = j["constants"][name];
    ASSERT_TRUE(c["value"].is_number()) << name;
    ASSERT_EQ(c["ci95"].size(), 2u) << name;
    EXPECT_LT(c["ci95"][0].get<double>(), c["ci95"][1].get<double>()) << name;
  }
  EXPECT_NEAR(j["constants"]["alpha"]["value"].get<double>(), 0.34, 0.05);
  EXPECT_TRUE(j["derived"]["N_opt"]["ci95"].is_array());
  EXPECT_EQ(j["holdout"].size(), 2u);
  const Result p = lowp("law predict chinchilla --constants " + json + " --N 1e9 --D 1e11");
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_NEAR(std::stod(last_line(p.out)),
              law.loss(law.sets()[0].values,
                       [] {
                         LawInput x;
                         x.N = 1e9, x.D = 1e11;
                         return x;
                       }()),
              0.01);
  EXPECT_EQ(
      lowp("law predict sun2025 --constants " + json + " --N 1e9 --D 1e11 --format mxfp4").code, 2);
}

}  // namespace
}  // namespace lowp::study
