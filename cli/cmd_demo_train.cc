// `lowp demo-train`: the README's main command - a small LM on the bundled corpus, trained with
// fp32 and mxfp4 (or --recipes), printing both validation losses and the gap.
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/train_options.h"
#include "train/components.h"
#include "train/console.h"
#include "util/error.h"

namespace {

lowp::TrainConfig demo_defaults() {
  lowp::TrainConfig c;
  c.study = "demo";
  c.model.kind = "lm";
  c.model.layers = 2, c.model.d_model = 64, c.model.heads = 4, c.model.seq = 64;
  c.batch = 16, c.steps = 300;
  c.schedule = {3e-3, 30, 0.1};
  return c;
}

const bool registered = lowp::cli::register_command([](CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "demo-train",
      "Train the same small LM on the bundled corpus once per recipe (default fp32 and mxfp4) "
      "and print each validation loss and the gap to the first; takes every `lowp train` flag");
  auto opts = std::make_shared<lowp::cli::TrainOptions>(*cmd, demo_defaults());
  auto recipes = std::make_shared<std::string>("fp32,mxfp4");
  cmd->add_option("--recipes", *recipes, "comma-separated recipes; the first is the baseline")
      ->capture_default_str();
  cmd->callback([opts, recipes] {
    lowp::TrainConfig cfg = opts->resolve();
    std::vector<std::string> names;
    std::stringstream ss(*recipes);
    for (std::string n; std::getline(ss, n, ',');)
      if (!n.empty()) names.push_back(n);
    if (names.size() < 2) lowp::fail("--recipes '" + *recipes + "': name at least two recipes");
    if (!cfg.out.empty())
      lowp::fail(
          "--out: demo-train runs several recipes; train with --out "
          "through `lowp train`, one recipe at a time");
    std::vector<double> loss;
    for (const auto& name : names) {
      cfg.recipe = name;
      lowp::ConsoleReporter console(stdout, stderr);
      const lowp::RunResult r = lowp::train(cfg, lowp::default_components(), &console);
      console.finish(r);
      if (r.status != "completed") {
        lowp::cli::exit_code() = 1;
        return;
      }
      loss.push_back(r.final_val_loss);
    }
    for (size_t i = 0; i < names.size(); ++i)
      std::printf("%-12s val_loss %.6f\n", names[i].c_str(), loss[i]);
    for (size_t i = 1; i < names.size(); ++i)
      std::printf("gap %s - %s: %+.6f (%+.2f%%)\n", names[i].c_str(), names[0].c_str(),
                  loss[i] - loss[0], 100.0 * (loss[i] - loss[0]) / loss[0]);
  });
});

}  // namespace
