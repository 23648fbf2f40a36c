// Runs CSV and constants JSON: parsing, clear errors naming file, line and column; sampling.
#include "study/data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "study/report.h"
#include "study/sample.h"
#include "util/error.h"

namespace lowp::study {
namespace {

Dataset parse(const std::string& text) {
  std::istringstream in(text);
  return parse_csv(in, "runs.csv");
}

// The message of the lowp::Error that f throws ("" when it does not throw).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Data, ParsesColumnsInAnyOrderWithOptionalOnes) {
  const Dataset d = parse(
      "# runs\nloss, format ,N,D,seed,bits_kv\n3.1,e4m3:block=128,1e8,2e10,7,\n\n"
      "2.9,\"mxfp4\",2e8,2e10,8,6\n");
  ASSERT_EQ(d.rows.size(), 2u);
  EXPECT_EQ(d.rows[0].N, 1e8);
  EXPECT_EQ(d.rows[0].spec.format, "e4m3:block=128");
  EXPECT_EQ(*d.rows[0].seed, 7);
  EXPECT_FALSE(d.rows[0].spec.bits_kv);
  EXPECT_EQ(d.rows[1].spec.format, "mxfp4");
  EXPECT_EQ(*d.rows[1].spec.bits_kv, 6);
  EXPECT_EQ(d.rows[1].line, 5);
}

TEST(Data, BadInputIsAClearError) {
  EXPECT_NE(error_of([] { parse("N,D,loss\n1e8,1e9,3\n"); }).find("lacks column(s) format"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse("N,D,format,loss\n-1e8,1e9,bf16,3\n");
            }).find("runs.csv:2: N must be positive"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse("N,D,format,loss\n1e8,lots,bf16,3\n"); }).find("column D"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse("N,D,format,loss\n1e8,1e9\n"); }).find("cells"), std::string::npos);
  EXPECT_NE(error_of([] { parse("N,D,format,loss\n"); }).find("no data rows"), std::string::npos);
  EXPECT_NE(error_of([] { read_csv("/nonexistent/runs.csv"); }).find("cannot open"),
            std::string::npos);
}

// A row is read by position, so a row that does not line up with the header is an error
// naming the line and both counts - extra cells as well as missing ones.
TEST(Data, RowsMustHaveOneCellPerHeaderColumn) {
  const std::string extra = error_of([] { parse("N,D,format,loss\n1e8,1e9,bf16,3,junk\n"); });
  EXPECT_NE(extra.find("runs.csv:2: the row has 5 cells but the header has 4 columns"),
            std::string::npos)
      << extra;
  const std::string comma =
      error_of([] { parse("N,D,format,loss\n1e8,1e9,bf16,3\n1,2,e4m3,4,\n"); });
  EXPECT_NE(comma.find("runs.csv:3: the row has 5 cells but the header has 4"), std::string::npos)
      << comma;
  // Fewer cells, also when the missing cell belongs to an optional column the law may not read.
  const std::string fewer = error_of([] { parse("N,D,format,loss,seed\n1e8,1e9,bf16,3\n"); });
  EXPECT_NE(fewer.find("runs.csv:2: the row has 4 cells but the header has 5 columns"),
            std::string::npos)
      << fewer;
  // An empty optional cell is a cell.
  EXPECT_EQ(parse("N,D,format,loss,seed\n1e8,1e9,bf16,3,\n").rows.size(), 1u);
}

TEST(Data, EmptyFileHeaderOnlyAndRepeatedColumnsAreErrors) {
  EXPECT_NE(error_of([] { parse(""); }).find("runs.csv: empty file"), std::string::npos);
  EXPECT_NE(error_of([] { parse("# only a comment\n\n"); }).find("empty file"), std::string::npos);
  EXPECT_NE(error_of([] { parse("N,D,format,loss\n# no runs yet\n"); }).find("no data rows"),
            std::string::npos);
  const std::string twice = error_of([] { parse("N,D,format,loss,N\n1,2,bf16,3,4\n"); });
  EXPECT_NE(twice.find("runs.csv:1: the header names column 'N' twice (columns 1 and 5)"),
            std::string::npos)
      << twice;
}

// Found by fuzz/runs_csv_fuzz: spaces inside a quoted cell survived, so the rows written back
// by to_csv (unquoted) read as a different format. Quotes and the spaces inside them go; a
// quote inside a cell is an error.
TEST(Data, QuotedCellsLoseTheirSpacesAndInnerQuotesAreErrors) {
  const Dataset d = parse("N,D,format,loss\n1,2,\" mxfp4 \",3\n1,2,\"\",3\n");
  EXPECT_EQ(d.rows[0].spec.format, "mxfp4");
  EXPECT_EQ(d.rows[1].spec.format, "");
  std::istringstream back(to_csv(d));
  EXPECT_EQ(parse_csv(back, "back.csv").rows[0].spec.format, "mxfp4");
  const std::string e = error_of([] { parse("N,D,format,loss\n1,2,\"\"mxfp4\"\",3\n"); });
  EXPECT_NE(e.find("runs.csv:2: cell '\"\"mxfp4\"\"' has a quote inside"), std::string::npos) << e;
  EXPECT_NE(error_of([] { parse("N,D,for\"mat,loss\n"); }).find("runs.csv:1"), std::string::npos);
}

TEST(Data, SeedIsAnInteger) {
  EXPECT_EQ(*parse("N,D,format,loss,seed\n1,2,bf16,3,-4\n").rows[0].seed, -4);
  EXPECT_NE(error_of([] {
              parse("N,D,format,loss,seed\n1,2,bf16,3,1.5\n");
            }).find("runs.csv:2: column seed needs an integer, got '1.5'"),
            std::string::npos);
  // Beyond 64 bits (undefined as a conversion) is an error, not a wrapped seed.
  EXPECT_NE(error_of([] { parse("N,D,format,loss,seed\n1,2,bf16,3,1e300\n"); }).find("seed"),
            std::string::npos);
}

TEST(Data, SamplesNameTheLineOfABadFormat) {
  const Dataset d = parse("N,D,format,loss\n1e8,1e9,e4m3:block=128,3\n1e8,2e9,e4m3:blok=128,3\n");
  ConstantSet set = sun2025_law().sets().front();
  const std::string e = error_of([&] { samples_for(sun2025_law(), &set, d); });
  EXPECT_NE(e.find("runs.csv:3"), std::string::npos) << e;
}

TEST(Data, QuartetFindsItsLowPrecisionFormat) {
  const Dataset d = parse("N,D,format,loss\n1e8,1e9,bf16,3\n1e8,1e9,mxfp4,3.2\n");
  ConstantSet set = quartet_law().sets().front();
  set.eff_format.clear();
  const auto s = samples_for(quartet_law(), &set, d);
  EXPECT_EQ(set.eff_format, "mxfp4");
  EXPECT_FALSE(s[0].x.eff_from_law);
  EXPECT_TRUE(s[1].x.eff_from_law);
  const Dataset two = parse("N,D,format,loss\n1e8,1e9,nvfp4,3\n1e8,1e9,mxfp4,3.2\n");
  EXPECT_THROW(samples_for(quartet_law(), &set, two), Error);
}

// Sampled runs: exact losses without noise, and a CSV that reads back to the same rows.
TEST(Data, SampledRunsRoundTripThroughCsv) {
  const LawRef r = resolve_law("sun2025");
  const Dataset d =
      sample_runs(*r.law, r.set, {1e8, 3e8}, {1e10, 3e10}, {"e4m3:block=128", "mxfp4"}, 0, 2, 1);
  ASSERT_EQ(d.rows.size(), 16u);
  LawInput x;
  x.N = 3e8, x.D = 1e10, x.prec = {2, 1, 32};
  EXPECT_DOUBLE_EQ(d.rows[10].loss, r.law->loss(r.set.values, x));  // (3e8, 1e10, mxfp4, seed 0)
  std::istringstream in(to_csv(d));
  const Dataset back = parse_csv(in, "sampled.csv");
  ASSERT_EQ(back.rows.size(), d.rows.size());
  for (size_t i = 0; i < d.rows.size(); ++i) {
    EXPECT_EQ(back.rows[i].spec.format, d.rows[i].spec.format);
    EXPECT_NEAR(back.rows[i].loss, d.rows[i].loss, 1e-8 * d.rows[i].loss);
  }
  const Dataset noisy = sample_runs(*r.law, r.set, {1e8}, {1e10}, {"mxfp4"}, 0.01, 1000, 3);
  double mean = 0, sq = 0;
  for (const Row& row : noisy.rows) {
    const double z = std::log(row.loss / d.rows[2].loss) / 0.01;  // (1e8, 1e10, mxfp4)
    mean += z / 1000, sq += z * z / 1000;
  }
  EXPECT_NEAR(mean, 0, 0.15);  // 1000 standard normals: mean within ~4.7 sigma, variance ~1
  EXPECT_NEAR(sq - mean * mean, 1, 0.2);
  EXPECT_THROW(sample_runs(*r.law, r.set, {}, {1e10}, {"mxfp4"}, 0, 1, 1), Error);
}

TEST(Data, ConstantsFilesReadBackOrFailClearly) {
  const std::string path =
      ::testing::TempDir() + "lowp_study_constants_" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << R"({"law": "chinchilla", "constants": {"E": 1.7, "A": {"value": 400},
    "B": 410, "alpha": 0.3, "beta": {"value": 0.3, "ci95": [0.2, 0.4]}},
    "range": {"N": [1e8, 1e9], "D": [1e9, 1e10]}})";
  const ConstantSet c = read_constants(chinchilla_law(), path);
  EXPECT_EQ(c.values[chin::A], 400);
  EXPECT_EQ(c.values[chin::beta], 0.3);
  EXPECT_TRUE(c.range.known);
  EXPECT_EQ(c.range.n_hi, 1e9);
  EXPECT_NE(error_of([&] { read_constants(kaplan_law(), path); }).find("is for law"),
            std::string::npos);
  std::ofstream(path) << R"({"constants": {"E": 1.7, "A": 400, "B": 410, "alpha": 0.3}})";
  EXPECT_NE(error_of([&] { read_constants(chinchilla_law(), path); }).find("lacks constant beta"),
            std::string::npos);
  std::ofstream(path)
      << R"({"constants": {"E": 1.7, "A": 400, "B": 410, "alpha": 0.3, "beta": 0.3, "gamma": 1}})";
  EXPECT_NE(error_of([&] { read_constants(chinchilla_law(), path); }).find("no constant 'gamma'"),
            std::string::npos);
  std::ofstream(path) << "{not json";
  EXPECT_NE(error_of([&] { read_constants(chinchilla_law(), path); }).find("not valid JSON"),
            std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lowp::study
