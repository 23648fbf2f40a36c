// `lowp fit --db`: completed runs of the results store become fit rows, and a law is recovered.
#include "study/store_runs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "store/store.h"
#include "study/report.h"
#include "tests/common/scratch.h"
#include "util/error.h"

namespace lowp::study {
namespace {

// A store holding Chinchilla (Hoffmann) losses for a grid of (N, D); plus one unfinished run.
std::string chinchilla_store() {
  const std::string path = (std::filesystem::path(testing::scratch_dir()) / "fit.db").string();
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
  Store st(path);
  int k = 0;
  for (double N : {1e8, 3e8, 1e9, 3e9, 1e10})
    for (int64_t steps : {2000, 6000, 20000, 60000}) {
      RunRecord r;
      r.uid = "run" + std::to_string(k++);
      r.command = "lowp train";
      r.code_version = "test";
      r.config_json = R"({"model":"lm","batch":64,"seq":1024,"seed":3})";
      r.recipe_name = "bf16";
      r.recipe_json = "{}";
      r.formats = {{"layers.0.attn.wq", "fwd.w", "bf16"}, {"layers.0.attn.wq", "fwd.x", "bf16"}};
      r.num_params = static_cast<int64_t>(N);
      const int64_t id = st.begin_run(r);
      st.record(id, {}, {}, steps);
      const double D = static_cast<double>(steps) * 64 * 1024;
      const double loss = 1.69 + 406.4 * std::pow(N, -0.34) + 410.7 * std::pow(D, -0.28);
      st.finish(id, "completed", "", loss, 1000.0, "fp32");
    }
  RunRecord running;
  running.uid = "unfinished";
  running.config_json = R"({"model":"lm","batch":64,"seq":1024})";
  running.num_params = 12345;
  st.record(st.begin_run(running), {}, {}, 10);
  return path;
}

TEST(StoreRuns, CompletedRunsBecomeRows) {
  const Dataset d = read_store(chinchilla_store());
  ASSERT_EQ(d.rows.size(), 20u);  // the unfinished run is left out
  EXPECT_EQ(d.rows[0].N, 1e8);
  EXPECT_EQ(d.rows[0].D, 2000.0 * 64 * 1024);
  EXPECT_EQ(d.rows[0].spec.format, "bf16");
  EXPECT_EQ(*d.rows[0].seed, 3);
}

TEST(StoreRuns, FitRecoversTheLawFromTheStore) {
  FitRequest req;
  req.law = "chinchilla";
  req.db = chinchilla_store();
  req.bootstrap = 0;
  const FitReport r = run_fit(req);
  const double truth[] = {1.69, 406.4, 410.7, 0.34, 0.28};
  ASSERT_EQ(r.fit.constants.values.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(r.fit.constants.values[i], truth[i], 1e-4 * truth[i]) << i;
}

TEST(StoreRuns, EmptyOrMissingStoreIsAClearError) {
  EXPECT_THROW(read_store("/nonexistent/runs.db"), Error);
  const std::string path = (std::filesystem::path(testing::scratch_dir()) / "empty.db").string();
  std::filesystem::remove(path);
  { Store st(path); }
  try {
    read_store(path);
    ADD_FAILURE() << "no error for an empty store";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no completed run"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lowp::study
