// One run per checkpoint directory: a second run on the same --out (with or without --resume)
// is refused while the first runs, naming it; the lock dies with its holder.
#include "train/run_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"
#include "test_models.h"
#include "train/checkpoint.h"
#include "util/error.h"

namespace lowp {
namespace {

using testing::test_components;

std::string error_of(const TrainConfig& c) {
  try {
    train(c, test_components(), nullptr);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

TrainConfig linreg(const std::string& name) {
  TrainConfig c;
  c.model.kind = "linreg";
  c.model.sketch_dim = 8;
  c.steps = 20;
  c.schedule = {0.05, 0, 1.0};
  c.db = testing::scratch_dir() + "/" + name + ".db";
  c.out = testing::scratch_dir() + "/" + name + "_ckpt";
  c.checkpoint_every = 10;
  return c;
}

TEST(RunLock, SecondRunOnTheSameOutIsRefusedAndNamesTheFirst) {
  const TrainConfig c = linreg("twice");
  int ready[2], go[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(go), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Holds --out at its first step, before any checkpoint (when the old check let a second
    // run in).
    testing::PauseAtStep pause(0, ready[1], go[0]);
    const RunResult r = train(c, test_components(), &pause);
    _exit(r.status == "completed" ? 0 : 1);
  }
  char b = 0;
  ASSERT_EQ(read(ready[0], &b, 1), 1) << "the first run did not start";
  EXPECT_FALSE(std::filesystem::exists(c.out + "/ckpt-10.bin"));

  const std::string holder = "(run 1 in " + std::filesystem::absolute(c.db).string() + ", pid " +
                             std::to_string(pid) + " on host " + host() + ")";
  std::string e = error_of(c);
  EXPECT_NE(e.find("--out " + c.out + " is in use by another run " + holder), std::string::npos)
      << e;
  TrainConfig resume = c;
  resume.resume = true;
  e = error_of(resume);
  EXPECT_NE(e.find("is in use by another run " + holder), std::string::npos) << e;

  ASSERT_EQ(write(go[1], &b, 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  // The first run was not disturbed: one row, complete, and its last checkpoint.
  Store st(c.db, true);
  ASSERT_EQ(st.runs().size(), 1u);
  EXPECT_EQ(st.runs()[0].status, "completed");
  EXPECT_EQ(st.runs()[0].resumes, 0);
  EXPECT_EQ(latest_checkpoint(c.out), c.out + "/ckpt-20.bin");
  // Once it ended, the directory is free to resume.
  EXPECT_EQ(train(resume, test_components(), nullptr).status, "completed");
}

TEST(RunLock, TwoLocksInOneProcessConflict) {
  const std::string dir = testing::scratch_dir() + "/one_process";
  {
    RunLock first(dir);
    first.set_run(7, "/x/runs.db");
    try {
      RunLock second(dir);
      ADD_FAILURE() << "a second lock on " << dir << " was granted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("(run 7 in /x/runs.db, pid " + std::to_string(getpid()) +
                                           " on host " + host()),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(RunLock again(dir));  // released with the first
}

TEST(RunLock, DiesWithItsHolder) {
  const std::string dir = testing::scratch_dir() + "/killed";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    RunLock lock(dir);
    lock.set_run(3, "runs.db");
    raise(SIGKILL);  // no destructor runs
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(std::filesystem::exists(dir + "/" + RunLock::kFileName));
  EXPECT_NO_THROW(RunLock mine(dir));
}

}  // namespace
}  // namespace lowp
