// Results store: round trip of runs, config columns, formats, metrics; schema growth; resume.
#include "store/store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "tests/store/fixture.h"
#include "util/error.h"

namespace lowp {
namespace {

using test::fresh_db;

RunRecord record(const std::string& uid, std::vector<Column> config) {
  RunRecord r;
  r.uid = uid;
  r.study = "s1";
  r.command = "lowp train --seed 1";
  r.code_version = "abc123";
  r.config_json = "{\"seed\":1}";
  r.recipe_name = "mxfp4";
  r.recipe_json = "{}";
  r.config = std::move(config);
  r.formats = {{"", "fwd.x", "mxfp4"}, {"layers.0.*", "fwd.x", "bf16"}};
  r.num_params = 1234;
  return r;
}

TEST(Store, RunRoundTrip) {
  Store st(fresh_db("roundtrip.db"));
  const int64_t id = st.begin_run(
      record("u1", {{"lr", 0.001}, {"layers", int64_t{4}}, {"model", std::string("lm")}}));
  st.record(id, {{0, 5.5, 1e-4, 2.0, 100}, {1, NAN, 2e-4, 1.5, 110}}, {{1, 5.25}}, 2);
  st.finish(id, "diverged", "loss is nan at step 1", std::nullopt, 105.0, "fp32 (test)");

  const auto runs = st.runs();
  ASSERT_EQ(runs.size(), 1u);
  const RunRow& r = runs[0];
  EXPECT_EQ(r.id, id);
  EXPECT_EQ(r.uid, "u1");
  EXPECT_EQ(r.study, "s1");
  EXPECT_EQ(r.status, "diverged");
  EXPECT_EQ(r.reason, "loss is nan at step 1");
  EXPECT_EQ(r.steps_done, 2);
  EXPECT_EQ(r.num_params, 1234);
  EXPECT_EQ(r.command, "lowp train --seed 1");
  EXPECT_EQ(r.code_version, "abc123");
  EXPECT_FALSE(r.final_val_loss.has_value());
  EXPECT_EQ(r.tokens_per_s, 105.0);
  EXPECT_EQ(r.gemm, "fp32 (test)");
  EXPECT_EQ(r.created.size(), 20u);  // 2026-11-22T07:35:00Z

  const auto m = st.metrics(id);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].loss, 5.5);
  EXPECT_TRUE(std::isnan(m[1].loss));
  EXPECT_EQ(m[1].grad_norm, 1.5);
  ASSERT_EQ(st.evals(id).size(), 1u);
  EXPECT_EQ(st.evals(id)[0].val_loss, 5.25);
  const auto f = st.formats(id);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1].layer, "layers.0.*");
  EXPECT_EQ(f[1].format, "bf16");

  const auto cols = st.config_columns(id);
  ASSERT_EQ(cols.size(), 3u);
  EXPECT_EQ(cols[0].name, "lr");
  EXPECT_EQ(std::get<double>(cols[0].value), 0.001);
  EXPECT_EQ(std::get<int64_t>(cols[1].value), 4);
  EXPECT_EQ(std::get<std::string>(cols[2].value), "lm");
  EXPECT_EQ(st.runs("s1", "diverged").size(), 1u);
  EXPECT_EQ(st.runs("s2").size(), 0u);
  EXPECT_EQ(st.runs("", "completed").size(), 0u);
  EXPECT_FALSE(st.run(id + 1).has_value());
}

TEST(Store, NewConfigFieldsBecomeColumns) {
  const std::string db = fresh_db("grow.db");
  int64_t a, b;
  {
    Store st(db);
    a = st.begin_run(record("a", {{"lr", 0.1}}));
  }
  Store st(db);  // reopened: the schema is kept, and grows
  b = st.begin_run(record("b", {{"lr", 0.2}, {"warmup", int64_t{10}}}));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(st.config_columns(a)[1].value));
  EXPECT_EQ(std::get<int64_t>(st.config_columns(b)[1].value), 10);
}

TEST(Store, ResumeDropsTheStepsToRecompute) {
  Store st(fresh_db("resume.db"));
  const int64_t id = st.begin_run(record("r", {}));
  std::vector<StepMetric> m;
  for (int64_t s = 0; s < 10; ++s) m.push_back({s, 1.0 * s, 0, 0, 0});
  st.record(id, m, {{4, 0.5}, {6, 0.4}, {9, 0.25}}, 10);
  st.finish(id, "interrupted", "SIGINT", std::nullopt, std::nullopt, "");
  EXPECT_EQ(st.begin_run(record("r", {}), 6), id);
  const RunRow r = *st.run(id);
  EXPECT_EQ(r.status, "running");
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.resumes, 1);
  EXPECT_EQ(r.steps_done, 6);
  EXPECT_EQ(st.metrics(id).size(), 6u);
  ASSERT_EQ(st.evals(id).size(), 2u);  // the evaluation after step 6 stays
  EXPECT_EQ(st.evals(id)[1].step, 6);
  EXPECT_EQ(st.formats(id).size(), 2u);  // not duplicated
}

TEST(Store, RejectsBadColumnsAndBadFiles) {
  Store st(fresh_db("bad.db"));
  for (const char* name : {"status", "Bad-Name", "1x", "study_id", ""}) {
    EXPECT_THROW(st.begin_run(record(std::string("u") + name, {{name, 1.0}})), Error) << name;
  }
  EXPECT_TRUE(st.runs().empty());  // nothing half-written
  try {
    Store missing(fresh_db("missing.db"), true);
    ADD_FAILURE() << "opened a missing store";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.db"), std::string::npos) << e.what();
  }
  const std::string junk = fresh_db("junk.db");
  std::ofstream(junk) << "not a database at all, just text that is long enough to be a header";
  EXPECT_THROW(Store(junk, true), Error);
}

TEST(Store, FailedWriteRollsBackTheWholeBatch) {
  Store st(fresh_db("rollback.db"));
  // The first column is added (ALTER TABLE) before the second is refused: the rollback must
  // take back the new column, the study and the run together.
  EXPECT_THROW(st.begin_run(record("x", {{"fresh_column", 1.0}, {"status", 2.0}})), Error);
  const int64_t id = st.begin_run(record("y", {{"other", 1.0}}));
  const auto cols = st.config_columns(id);
  ASSERT_EQ(cols.size(), 1u);
  EXPECT_EQ(cols[0].name, "other");
  EXPECT_EQ(st.runs().size(), 1u);
}

}  // namespace
}  // namespace lowp
