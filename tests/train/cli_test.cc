// The command-line contract of `lowp train`, `lowp eval` and `lowp runs`: help generated from
// the config table, config files, the reproduce command round trip, listings, and bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "nn/gemm.h"
#include "store/store.h"
#include "test_models.h"
#include "train/config.h"

namespace lowp {
namespace {

struct Result {
  int code;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `lowp <args>` through the shell (args are shell words) in the test's temp directory.
Result lowp(const std::string& args) {
  const std::string dir = testing::scratch_dir();
  const std::string cmd = "cd '" + dir + "' && '" LOWP_BINARY_DIR "/cli/lowp' " + args + " > '" +
                          dir + "/cli.out' 2> '" + dir + "/cli.err'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir + "/cli.out"),
          slurp(dir + "/cli.err")};
}

std::string temp(const std::string& name) {
  const std::string p = testing::scratch_dir() + "/" + name;
  std::filesystem::remove_all(p);
  for (const char* ext : {"-wal", "-shm"}) std::filesystem::remove(p + ext);
  return p;
}

TEST(Cli, TrainHelpListsEveryConfigField) {
  const Result r = lowp("train --help");
  EXPECT_EQ(r.code, 0);
  for (const auto& f : train_fields()) {
    const bool shown = r.out.find("  " + flag_name(f) + " ") != std::string::npos ||
                       r.out.find("  " + flag_name(f) + ",") != std::string::npos;  // bool flags
    EXPECT_TRUE(shown) << f.name;
  }
  EXPECT_NE(r.out.find("--config"), std::string::npos);
  EXPECT_NE(r.out.find("presets: fp32, bf16, mxfp8, mxfp6, mxfp4, nvfp4"), std::string::npos);
  EXPECT_NE(r.out.find("final val_loss <v> tokens/s <v>"), std::string::npos);
}

TEST(Cli, FlagsBeatTheConfigFile) {
  const std::string file = temp("run.toml");
  std::ofstream(file) << "lr = 0.1\nlayers = 3\nd-model = 32\nrecipe = \"mxfp4\"\n";
  const Result r = lowp("train --config '" + file + "' --lr 0.5 --print-config");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nlr = 0.5\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nlayers = 3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nd_model = 32\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nrecipe = \"mxfp4\"\n"), std::string::npos) << r.out;
}

// The printed reproduce command parses back to exactly the run's configuration.
TEST(Cli, ReproduceCommandRoundTrips) {
  TrainConfig c;
  c.model.layers = 3, c.model.d_model = 48, c.model.tied_embeddings = false;
  c.schedule = {0.1 + 0.2, 7, 0.25};
  c.optim.weight_decay = 0.05;
  c.recipe = "nvfp4";
  c.seed = 123456789012345ull;
  c.data = "my corpus.txt";
  c.study = "it's";
  c.out = "ck", c.checkpoint_every = 5;
  const std::string cmd = reproduce_command(c);
  ASSERT_EQ(cmd.rfind("lowp train ", 0), 0u);
  const Result r = lowp(cmd.substr(5) + " --print-config");
  ASSERT_EQ(r.code, 0) << cmd << "\n" << r.err;
  EXPECT_EQ(r.out, config_to_toml(effective_config(c)));
}

// A run says which GEMM path it used, on stderr and in the store: an lm's quantized linears in
// bf16 where the machine has a bf16 matmul (attention and head stay fp32), else all in fp32.
TEST(Cli, TrainRecordsTheGemmPath) {
  const std::string corpus = testing::write_text_file("corpus.txt", 1 << 16, 3);
  const std::string db = temp("cli_gemm.db");
  for (const std::string recipe : {"mxfp4", "fp32"}) {
    const Result r = lowp(
        "train --size tiny --layers 1 --seq 16 --heads 4 --steps 2 --batch 2 "
        "--val-batches 1 --recipe " +
        recipe + " --data '" + corpus + "' --db cli_gemm.db");
    ASSERT_EQ(r.code, 0) << r.err;
    const bool bf16 = recipe == "mxfp4" && nn::bf16_gemm_enabled();
    const std::string want = bf16 ? "gemm: bf16 " : "gemm: fp32 (";
    const size_t at = r.err.find(want);
    ASSERT_NE(at, std::string::npos) << recipe << ": " << r.err;
    if (bf16) EXPECT_NE(r.err.find("% + fp32 ", at), std::string::npos) << r.err;
    const std::string line = r.err.substr(at + 6, r.err.find('\n', at) - at - 6);
    Store st(db, true);
    const RunRow row = st.runs().back();
    EXPECT_EQ(row.gemm, line);
    const Result show = lowp("runs show " + std::to_string(row.id) + " --db '" + db + "'");
    EXPECT_NE(show.out.find("gemm        " + line + "\n"), std::string::npos) << show.out;
  }
}

// --print-config shows what the run then uses and records, explicit dimensions over a named
// size included (the size used to win silently while the printout showed the flags).
TEST(Cli, PrintConfigIsWhatTheRunUses) {
  const std::string corpus = testing::write_text_file("corpus.txt", 1 << 16, 3);
  const std::string run =
      "train --size tiny --layers 1 --seq 16 --heads 4 --steps 2 --batch 2 "
      "--val-batches 1 --data '" +
      corpus + "' --db cli_size.db";
  const Result printed = lowp(run + " --print-config");
  ASSERT_EQ(printed.code, 0) << printed.err;
  // tiny: 2 layers, d 64, 2 heads, ffn 192, seq 256.
  for (const char* line : {"\nsize = \"\"\n", "\nlayers = 1\n", "\nd_model = 64\n", "\nheads = 4\n",
                           "\nffn = 192\n", "\nseq = 16\n", "\noptimizer = \"adamw\"\n"})
    EXPECT_NE(printed.out.find(line), std::string::npos) << line << " in\n" << printed.out;

  const std::string db = temp("cli_size.db");
  const Result trained = lowp(run);
  ASSERT_EQ(trained.code, 0) << trained.err;
  Store st(db, true);
  ASSERT_EQ(st.runs().size(), 1u);
  EXPECT_EQ(config_to_toml(config_from_json(st.runs()[0].config_json)), printed.out);

  // The same through a config file holding both the size and explicit dimensions.
  const std::string file = temp("sized.toml");
  std::ofstream(file) << "size = \"tiny\"\nlayers = 1\nseq = 16\nheads = 4\n";
  const Result from_file = lowp("train --config '" + file +
                                "' --steps 2 --batch 2 "
                                "--val-batches 1 --data '" +
                                corpus +
                                "' --db cli_size.db "
                                "--print-config");
  ASSERT_EQ(from_file.code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, printed.out);
}

TEST(Cli, BadInputSaysWhatAndExitsNonZero) {
  struct Case {
    std::string args, message;
    int code;
  };
  const std::string missing_cfg = temp("absent.toml");
  const std::string dir = temp("a_dir");
  std::filesystem::create_directories(dir);
  const std::vector<Case> cases = {
      // A directory (or a missing file) as the recipe used to train as fp32 without a word.
      {"train --recipe '" + dir + "' --print-config", dir + " is a directory, not a file", 2},
      {"train --model linreg --steps 1 --db cli_bad.db --recipe '" + dir + "'",
       dir + " is a directory, not a file", 2},
      {"train --recipe /nonexistent/r.toml --print-config", "/nonexistent/r.toml does not exist",
       2},
      {"train --config '" + dir + "' --print-config",
       "config file " + dir + ": cannot open it (it is a directory, not a file)", 2},
      {"train --data '" + dir + "'",
       "data file " + dir + ": cannot open it (it is a directory, not a file)", 2},
      // Negative values for unsigned options were wrapped around to 2^64 - 5.
      {"train --seed -5 --print-config", "lowp: error: --seed -5: must be a non-negative integer",
       2},
      {"train --seed=-5 --print-config", "--seed -5: must be a non-negative integer", 2},
      {"train --steps 99999999999999999999 --print-config",
       "--steps 99999999999999999999: must be an integer from -9223372036854775808 to "
       "9223372036854775807",
       2},
      {"train --batch 2.5 --print-config", "--batch 2.5: must be an integer", 2},
      {"train --batch 0 --print-config", "lowp: error: --batch 0: needs at least 1", 2},
      {"train --recipe mxfp9 --print-config", "'mxfp9' is neither a preset", 2},
      {"train --model gpt --print-config", "--model gpt: unknown model kind", 2},
      {"train --checkpoint-every 5 --print-config", "--checkpoint-every needs --out", 2},
      {"train --config '" + missing_cfg + "'", "absent.toml", 2},
      {"train --data /nonexistent/corpus.txt", "data file /nonexistent/corpus.txt: cannot open", 2},
      {"train --lr fast", "--lr fast: must be a number", 2},
      {"train --bogus", "--bogus", 0},
      {"eval /nonexistent/ckpt-1.bin", "checkpoint /nonexistent/ckpt-1.bin: cannot open", 2},
      {"runs --db /nonexistent/runs.db", "/nonexistent/runs.db", 2},
  };
  for (const auto& c : cases) {
    const Result r = lowp(c.args);
    if (c.code)
      EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.err;
    else
      EXPECT_NE(r.code, 0) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

TEST(Cli, RunsListsAndShowsRuns) {
  const std::string db = temp("cli_runs.db");
  TrainConfig c;
  c.model.kind = "linreg";
  c.model.sketch_dim = 8;
  c.steps = 20;
  c.eval_every = 10;
  c.db = db;
  c.study = "cli";
  const RunResult ok = train(c, testing::test_components(), nullptr);
  c.schedule = {50.0, 0, 1.0};
  c.optim.name = "sgd", c.optim.clip = 0;
  const RunResult bad = train(c, testing::test_components(), nullptr);
  ASSERT_EQ(ok.status, "completed");
  ASSERT_EQ(bad.status, "diverged");

  Result r = lowp("runs --db '" + db + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("id  study  status", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n1   cli    completed  linreg  fp32    20/20"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n2   cli    diverged   linreg  fp32"), std::string::npos) << r.out;
  r = lowp("runs --db '" + db + "' --status diverged");
  EXPECT_EQ(r.out.find("completed"), std::string::npos) << r.out;
  r = lowp("runs --db '" + db + "' --study other");
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no runs"), std::string::npos);

  r = lowp("runs show 2 --db '" + db + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("status      diverged: loss "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  lr                 50\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gemm        " + bad.gemm + "\n"), std::string::npos) << r.out;
  EXPECT_FALSE(bad.gemm.empty());
  // The last line is the command that reproduces the run.
  const std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
  EXPECT_EQ(last, bad.command + "\n");
  r = lowp("runs show 1 --db '" + db + "'");
  EXPECT_NE(r.out.find("after step 10       val_loss "), std::string::npos) << r.out;
  r = lowp("runs show 9 --db '" + db + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no run 9 in"), std::string::npos) << r.err;
}

// A run killed before it could record its end lists as interrupted, not running forever.
TEST(Cli, RunsShowsAKilledRunAsInterrupted) {
  const std::string db = temp("cli_killed.db");
  TrainConfig c;
  c.model.kind = "linreg";
  c.steps = 1000000;
  c.db = db;
  struct Die : TrainObserver {
    void on_step(const StepInfo& s) override {
      if (s.step == 3) raise(SIGKILL);
    }
  };
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Die die;
    train(c, testing::test_components(), &die);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  Result r = lowp("runs --db '" + db + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\n1   default  interrupted  linreg"), std::string::npos) << r.out;
  r = lowp("runs --db '" + db + "' --status running");
  EXPECT_NE(r.err.find("no runs"), std::string::npos) << r.out;
  r = lowp("runs show 1 --db '" + db + "'");
  EXPECT_NE(r.out.find("status      interrupted: process " + std::to_string(pid) + " on "),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace lowp
