// `lowp train`: one training run with a precision recipe, recorded in the results store.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/train_options.h"
#include "train/components.h"
#include "train/console.h"
#include "train/trainer.h"

namespace {

const bool registered = lowp::cli::register_command([](CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "train",
      "Train a model with a precision recipe. Prints `run <id>: <command that reproduces it>`, a "
      "progress bar on stderr, and last `final val_loss <v> tokens/s <v>`; every run is "
      "recorded in the results store (--db). Exit 1 if the run stopped early (NaN, divergence, "
      "signal), 2 on bad input.");
  const lowp::TrainConfig defaults;
  auto opts = std::make_shared<lowp::cli::TrainOptions>(*cmd, defaults);
  auto print = std::make_shared<bool>(false);
  cmd->add_flag(
      "--print-config", *print,
      "check the configuration, print it as a --config TOML file (as the run would use it: "
      "sizes and defaults resolved), and exit");
  cmd->callback([opts, print] {
    const lowp::TrainConfig cfg = opts->resolve();
    if (*print) {  // what the run would use and record, not what was typed
      std::fputs(lowp::config_to_toml(lowp::effective_config(cfg)).c_str(), stdout);
      return;
    }
    lowp::ConsoleReporter console(stdout, stderr);
    const lowp::RunResult r = lowp::train(cfg, lowp::default_components(), &console);
    console.finish(r);
    if (r.status != "completed") lowp::cli::exit_code() = 1;
  });
});

}  // namespace
