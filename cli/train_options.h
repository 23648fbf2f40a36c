// Command-line binding of TrainConfig: every field of the table becomes a --flag (with its
// help and default), plus --config FILE; shared by `lowp train` and `lowp demo-train`.
#pragma once

#include <CLI/CLI.hpp>
#include <deque>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "recipe/presets.h"
#include "train/config.h"

namespace lowp::cli {

class TrainOptions {
 public:
  // `defaults` are the values shown in --help and used for flags not given.
  TrainOptions(CLI::App& cmd, const TrainConfig& defaults) : defaults_(defaults) {
    cmd.add_option("--config", config_file_,
                   "TOML file with the same keys as the flags (flags given here win)");
    for (const Field& f : train_fields()) {
      std::string help = f.help;
      if (std::string(f.name) == "recipe") help += " (presets: " + preset_names() + ")";
      const char* group = (f.flags & kAnyModel) == kLm       ? "lm model"
                          : (f.flags & kAnyModel) == kMlp    ? "mlp_teacher model"
                          : (f.flags & kAnyModel) == kLinreg ? "linreg model"
                                                             : "Run";
      Flag& flag = flags_.emplace_back();
      flag.field = &f;
      const std::string name = flag_name(f), shown = field_text(f, defaults);
      // Values stay text here: set_field parses them, the same parser as for config files.
      if (std::holds_alternative<bool& (*)(TrainConfig&)>(f.ref)) {
        flag.is_bool = true;
        flag.opt = cmd.add_flag(name + ",!--no-" + name.substr(2), flag.on,
                                help + (shown == "true" ? " (default: on)" : " (default: off)"));
      } else {
        flag.opt =
            cmd.add_option(name, flag.text, help)->default_str(shown)->type_name(type_name(f));
      }
      flag.opt->group(group);
    }
  }

  // defaults <- the --config file <- the flags given on the command line (layered_config).
  TrainConfig resolve() const {
    std::vector<Setting> given;
    for (const Flag& flag : flags_)
      if (flag.opt->count() > 0)
        given.push_back({flag.field, flag.is_bool ? (flag.on ? "true" : "false") : flag.text});
    return layered_config(defaults_, config_file_, given);
  }

 private:
  struct Flag {
    const Field* field = nullptr;
    CLI::Option* opt = nullptr;
    bool is_bool = false, on = false;
    std::string text;
  };

  static const char* type_name(const Field& f) {
    return std::visit(
        [](auto get) {
          using T = std::remove_reference_t<decltype(get(std::declval<TrainConfig&>()))>;
          return std::is_same_v<T, std::string> ? "TEXT"
                 : std::is_floating_point_v<T>  ? "FLOAT"
                 : std::is_unsigned_v<T>        ? "UINT"
                                                : "INT";
        },
        f.ref);
  }

  TrainConfig defaults_;
  std::string config_file_;
  std::deque<Flag> flags_;  // CLI11 writes into its members: addresses must stay put
};

}  // namespace lowp::cli
