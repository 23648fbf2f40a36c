// Resume and thread-count determinism: a run killed mid-way (SIGKILL, in a child process) or
// interrupted (SIGINT) and resumed ends bit-identical to the uninterrupted run; so does a run
// on any number of threads.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/store.h"
#include "test_models.h"
#include "train/checkpoint.h"
#include "util/error.h"

namespace lowp {
namespace {

using testing::test_components;

std::string fresh(const std::string& name) {
  const std::string p = testing::scratch_dir() + "/" + name;
  std::filesystem::remove_all(p);
  for (const char* ext : {"-wal", "-shm"}) std::filesystem::remove(p + ext);
  return p;
}

// Stochastic rounding everywhere the trainer and the model draw random bits.
std::string sr_recipe() {
  const std::string path = testing::scratch_dir() + "/sr_recipe.toml";
  std::ofstream(path) << "base = \"nvfp4\"\nname = \"sr_everywhere\"\n[slots]\n"
                         "\"adam.m\" = \"bf16:round=sr\"\n\"adam.v\" = \"bf16:round=sr\"\n"
                         "master = \"bf16:round=sr\"\ngrad = \"e5m2:round=sr\"\n";
  return path;
}

TrainConfig config(const std::string& name) {
  TrainConfig c;
  c.model.kind = "lm";
  c.model.d_model = 16;
  c.model.seq = 32;
  c.batch = 8;
  c.steps = 40;
  c.schedule = {0.05, 4, 0.1};
  c.recipe = sr_recipe();
  c.data = testing::write_text_file("resume_corpus.txt", 1 << 16, 5);
  c.val_fraction = 0.25;
  c.val_batches = 2;
  c.eval_every = 10;
  c.checkpoint_every = 10;
  c.db = fresh(name + ".db");
  c.out = fresh(name + "_ckpt");
  return c;
}

// The tensor section of a checkpoint (everything after the metadata, which holds the run uid).
std::string tensor_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t meta_len = 0;
  EXPECT_GT(b.size(), 16u) << path;
  std::memcpy(&meta_len, b.data() + 8, 8);
  return b.substr(16 + meta_len, b.size() - 16 - meta_len - 8);
}

struct Outcome {
  std::string tensors;
  std::vector<StepMetric> metrics;
  std::vector<EvalMetric> evals;
  RunRow row;
};

Outcome outcome(const TrainConfig& c) {
  Store st(c.db, true);
  const auto runs = st.runs();
  EXPECT_EQ(runs.size(), 1u);
  return {tensor_bytes(c.out + "/ckpt-" + std::to_string(c.steps) + ".bin"), st.metrics(runs[0].id),
          st.evals(runs[0].id), runs[0]};
}

void expect_same_results(const Outcome& a, const Outcome& b) {
  EXPECT_TRUE(a.tensors == b.tensors) << "weights or optimizer state differ";
  ASSERT_EQ(a.metrics.size(), b.metrics.size());
  for (size_t i = 0; i < a.metrics.size(); ++i) {
    EXPECT_EQ(a.metrics[i].step, b.metrics[i].step);
    EXPECT_EQ(std::bit_cast<uint64_t>(a.metrics[i].loss),
              std::bit_cast<uint64_t>(b.metrics[i].loss))
        << "step " << i;
    EXPECT_EQ(a.metrics[i].grad_norm, b.metrics[i].grad_norm) << "step " << i;
    EXPECT_EQ(a.metrics[i].lr, b.metrics[i].lr) << "step " << i;
  }
  ASSERT_EQ(a.evals.size(), b.evals.size());
  for (size_t i = 0; i < a.evals.size(); ++i) EXPECT_EQ(a.evals[i].val_loss, b.evals[i].val_loss);
  EXPECT_EQ(a.row.final_val_loss, b.row.final_val_loss);
}

// Kills its own process (SIGKILL: no cleanup at all) after a given step.
struct Killer : TrainObserver {
  int64_t at;
  int sig;
  Killer(int64_t step, int signal) : at(step), sig(signal) {}
  void on_step(const StepInfo& s) override {
    if (s.step == at) raise(sig);
  }
};

TEST(Resume, KilledRunResumesBitIdentically) {
  const TrainConfig ref = config("ref");
  ASSERT_EQ(train(ref, test_components(), nullptr).status, "completed");

  TrainConfig c = config("killed");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Killer k(25, SIGKILL);  // after ckpt-20, mid-way to ckpt-30
    train(c, test_components(), &k);
    _exit(0);  // not reached
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_EQ(latest_checkpoint(c.out), c.out + "/ckpt-20.bin");
  {
    Store st(c.db, true);  // the crash left the store consistent
    const RunRow row = st.runs().at(0);
    // Its process is gone: not `running` forever, though it could not record its end.
    EXPECT_EQ(row.status, "interrupted");
    EXPECT_NE(row.reason.find("process " + std::to_string(pid) + " on "), std::string::npos)
        << row.reason;
    EXPECT_EQ(row.steps_done, 20);
    EXPECT_EQ(st.metrics(row.id).size(), 20u);
  }
  c.resume = true;
  const RunResult r = train(c, test_components(), nullptr);
  EXPECT_EQ(r.status, "completed");
  const Outcome a = outcome(ref), b = outcome(c);
  expect_same_results(a, b);
  EXPECT_EQ(b.row.resumes, 1);
  EXPECT_EQ(b.row.status, "completed");
}

TEST(Resume, InterruptedRunCheckpointsAndResumesBitIdentically) {
  const TrainConfig ref = config("ref_int");
  ASSERT_EQ(train(ref, test_components(), nullptr).status, "completed");
  TrainConfig c = config("interrupted");
  Killer k(13, SIGINT);
  const RunResult r = train(c, test_components(), &k);
  EXPECT_EQ(r.status, "interrupted");
  EXPECT_EQ(r.reason, "SIGINT before step 14");
  EXPECT_EQ(latest_checkpoint(c.out), c.out + "/ckpt-14.bin");  // off the checkpoint grid
  c.resume = true;
  EXPECT_EQ(train(c, test_components(), nullptr).status, "completed");
  expect_same_results(outcome(ref), outcome(c));
}

TEST(Resume, AnyThreadCountGivesTheSameBits) {
  const TrainConfig one = config("threads1");
  ASSERT_EQ(train(one, test_components(), nullptr).status, "completed");
  TrainConfig three = config("threads3");
  three.threads = 3;
  ASSERT_EQ(train(three, test_components(), nullptr).status, "completed");
  expect_same_results(outcome(one), outcome(three));
}

TEST(Resume, ResumingAFinishedRunOnlyReevaluates) {
  TrainConfig c = config("finished");
  c.steps = 10;
  const RunResult first = train(c, test_components(), nullptr);
  c.resume = true;
  const RunResult again = train(c, test_components(), nullptr);
  EXPECT_EQ(again.status, "completed");
  EXPECT_EQ(again.final_val_loss, first.final_val_loss);
  EXPECT_EQ(again.run_id, first.run_id);
}

std::string error_of(const TrainConfig& c) {
  try {
    train(c, test_components(), nullptr);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Resume, GuardsAgainstMixingRuns) {
  TrainConfig c = config("guard");
  c.steps = 10;
  ASSERT_EQ(train(c, test_components(), nullptr).status, "completed");
  // Same --out without --resume: the checkpoints are not overwritten.
  EXPECT_NE(error_of(c).find("already holds checkpoints"), std::string::npos);
  c.resume = true;
  c.schedule.lr = 0.02;
  const std::string e = error_of(c);
  EXPECT_NE(e.find("--lr: '0.05' (checkpoint) vs '0.02' (now)"), std::string::npos) << e;
  c.schedule.lr = 0.05;
  c.recipe = "nvfp4";  // another recipe
  EXPECT_NE(error_of(c).find("differs from the one"), std::string::npos);
  const std::string moved = testing::scratch_dir() + "/moved_recipe.toml";
  std::filesystem::copy_file(sr_recipe(), moved, std::filesystem::copy_options::overwrite_existing);
  c.recipe = moved;                 // the same recipe from another path
  c.threads = 2, c.eval_every = 5;  // settings that cannot change results may differ
  EXPECT_EQ(error_of(c), "");
}

// --resume means "continue": with nothing to continue it must not start a new run silently.
TEST(Resume, ResumeWithoutACheckpointIsAnError) {
  TrainConfig c = config("fresh_resume");
  c.steps = 10, c.resume = true;
  const std::string e = error_of(c);
  EXPECT_NE(e.find("--resume: no checkpoint (ckpt-<step>.bin) found in " + c.out +
                   "; point --out at the directory of the run to continue, or leave out "
                   "--resume"),
            std::string::npos)
      << e;
  EXPECT_FALSE(std::filesystem::exists(c.db)) << "a run was recorded";
  EXPECT_EQ(latest_checkpoint(c.out), "");
}

// SIGTERM from outside (a scheduler's stop) ends the run cleanly: checkpoint of the steps
// done, row interrupted with the reason, exit through the normal path; it resumes.
TEST(Resume, SigtermFromOutsideKeepsTheCheckpointAndMarksTheRowInterrupted) {
  TrainConfig c = config("sigterm");
  int ready[2], go[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(go), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Waits after step 5 until the parent has sent the signal; a signal sent to a process goes
    // to its main thread, whose handler has run by the time `go` arrives.
    testing::PauseAtStep handshake(5, ready[1], go[0]);
    const RunResult r = train(c, test_components(), &handshake);
    _exit(r.status == "interrupted" && r.reason == "SIGTERM before step 6" ? 0 : 4);
  }
  char b = 0;
  ASSERT_EQ(read(ready[0], &b, 1), 1);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  ASSERT_EQ(write(go[1], &b, 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the run died of the signal instead of ending; status "
                                 << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: no pipe, 4: other status or reason";
  EXPECT_EQ(latest_checkpoint(c.out), c.out + "/ckpt-6.bin");  // off the checkpoint grid
  {
    Store st(c.db, true);
    const RunRow row = st.runs().at(0);
    EXPECT_EQ(row.status, "interrupted");
    EXPECT_EQ(row.reason, "SIGTERM before step 6");
    EXPECT_EQ(row.steps_done, 6);
    EXPECT_EQ(st.metrics(row.id).size(), 6u);
  }
  c.resume = true;
  EXPECT_EQ(train(c, test_components(), nullptr).status, "completed");
}

}  // namespace
}  // namespace lowp
