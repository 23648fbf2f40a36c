// `lowp eval`: the validation loss of a checkpoint's weights.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "train/components.h"

namespace {

struct EvalArgs {
  std::string checkpoint, data;
  int val_batches = 0;
};

const bool registered = lowp::cli::register_command([](CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "eval",
      "Evaluate a checkpoint (ckpt-<step>.bin of `lowp train --out`): rebuilds its model "
      "and data from the stored config and prints `val_loss <v>`");
  auto a = std::make_shared<EvalArgs>();
  cmd->add_option("checkpoint", a->checkpoint, "checkpoint file")->required();
  cmd->add_option("--data", a->data, "evaluate on this text file instead of the run's data");
  cmd->add_option("--val-batches", a->val_batches,
                  "validation batches (default: the run's --val-batches)");
  cmd->callback([a] {
    const lowp::EvalResult r = lowp::evaluate_checkpoint(a->checkpoint, lowp::default_components(),
                                                         a->data, a->val_batches);
    std::fprintf(stderr, "%s: step %lld, %lld validation batches of %d x %d\n",
                 a->checkpoint.c_str(), static_cast<long long>(r.step),
                 static_cast<long long>(r.batches), r.config.batch, r.config.model.seq);
    std::printf("val_loss %.6f\n", r.val_loss);
  });
});

}  // namespace
