// Command-line binding of TrainConfig: every field of the table becomes a --flag (with its
// help and default), plus --config FILE; shared by `lowp train` and `lowp demo-train`.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "recipe/presets.h"
#include "train/config.h"

namespace lowp::cli {

class TrainOptions {
 public:
  // `defaults` are the values shown in --help and used for flags not given.
  TrainOptions(CLI::App& cmd, const TrainConfig& defaults)
      : defaults_(defaults), parsed_(std::make_unique<TrainConfig>(defaults)) {
    cmd.add_option("--config", config_file_,
                   "TOML file with the same keys as the flags (flags given here win)");
    for (const Field& f : train_fields()) {
      std::string help = f.help;
      if (std::string(f.name) == "recipe") help += " (presets: " + preset_names() + ")";
      const char* group = (f.flags & kAnyModel) == kLm       ? "lm model"
                          : (f.flags & kAnyModel) == kMlp    ? "mlp_teacher model"
                          : (f.flags & kAnyModel) == kLinreg ? "linreg model"
                                                             : "Run";
      CLI::Option* opt = std::visit(
          [&](auto get) -> CLI::Option* {
            auto& ref = get(*parsed_);
            if constexpr (std::is_same_v<std::remove_reference_t<decltype(ref)>, bool>) {
              const std::string name = flag_name(f);
              return cmd.add_flag(name + ",!--no-" + name.substr(2), ref,
                                  help + (ref ? " (default: on)" : " (default: off)"));
            } else {
              return cmd.add_option(flag_name(f), ref, help)->capture_default_str();
            }
          },
          f.ref);
      opt->group(group);
      options_.emplace_back(&f, opt);
    }
  }

  // defaults <- the --config file <- the flags given on the command line.
  TrainConfig resolve() const {
    TrainConfig c = defaults_;
    if (!config_file_.empty()) load_config_file(c, config_file_);
    for (const auto& [f, opt] : options_)
      if (opt->count() > 0) copy_field(*f, c, *parsed_);
    return c;
  }

 private:
  TrainConfig defaults_;
  std::unique_ptr<TrainConfig> parsed_;  // CLI11 writes into it; stable address
  std::string config_file_;
  std::vector<std::pair<const Field*, CLI::Option*>> options_;
};

}  // namespace lowp::cli
