// The run configuration: one struct, and one table of its fields that drives command-line
// options, --help, config files, printing, checkpoints and the results-store columns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/model.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"
#include "store/store.h"

namespace lowp {

struct TrainConfig {
  ModelConfig model;
  std::string study = "default";
  std::string recipe = "fp32";
  int batch = 16;
  int64_t steps = 1000;
  ScheduleConfig schedule;
  OptimConfig optim;
  uint64_t seed = 1;
  std::string data;  // empty: the bundled corpus (data/kjv.txt)
  double val_fraction = 0.1;
  int val_batches = 8;
  int64_t eval_every = 0;       // 0: evaluate at the end only
  double diverge_factor = 4.0;  // stop when loss > factor x the first step's loss; 0: never
  int threads = 1;
  std::string db = "runs.db";
  std::string out;  // checkpoint directory; empty: no checkpoints
  int64_t checkpoint_every = 0;
  bool resume = false;
};

// What a field is for. kResult: changes the numbers a run produces (must match on --resume).
// kLm / kMlp / kLinreg: the model kinds that read it (printed commands list only those).
enum FieldFlag : unsigned {
  kResult = 1,
  kLm = 2,
  kMlp = 4,
  kLinreg = 8,
  kAnyModel = kLm | kMlp | kLinreg,
};

using FieldRef =
    std::variant<std::string& (*)(TrainConfig&), int& (*)(TrainConfig&), int64_t& (*)(TrainConfig&),
                 uint64_t& (*)(TrainConfig&), double& (*)(TrainConfig&), bool& (*)(TrainConfig&)>;

struct Field {
  const char* name;  // snake_case: config-file key and store column; --kebab-case on the CLI
  const char* help;
  FieldRef ref;
  unsigned flags;
};

// Every field of TrainConfig, in --help order.
const std::vector<Field>& train_fields();
std::string flag_name(const Field& f);  // "--d-model"
// Does a run of this model kind read the field? (Fields of other model kinds are inert.)
bool field_applies(const Field& f, const std::string& model_kind);
// The value as text (numbers in shortest round-trip form; bools true/false).
std::string field_text(const Field& f, const TrainConfig& c);
// Sets a field from text; throws lowp::Error quoting the flag and the text, and saying what it
// must be ("--seed -5: must be a non-negative integer").
void set_field(const Field& f, TrainConfig& c, const std::string& text);

// Keys of a TOML (or JSON, if it starts with '{') file, named like the fields (snake_case or
// kebab-case), set on top of `c`; returns the fields the file set. Unknown keys and wrong types
// are errors naming the file.
std::vector<const Field*> load_config_file(TrainConfig& c, const std::string& path);
// The same from the file's text; `path` names it in errors.
std::vector<const Field*> load_config_text(TrainConfig& c, std::string_view text,
                                           const std::string& path);

// A field given explicitly (on the command line), as text for set_field.
struct Setting {
  const Field* field;
  std::string text;
};
// The configuration from its sources, each over the one before: `defaults`, the keys of
// `config_file` (none if empty), then `flags`. A named `size` sets the lm dimensions (layers,
// d_model, heads, ffn, seq) that its own source does not give: explicit dimensions win. When
// the dimensions end up other than the size's, `size` is cleared, so the result is exactly
// what a run uses.
TrainConfig layered_config(const TrainConfig& defaults, const std::string& config_file,
                           const std::vector<Setting>& flags);
std::string config_to_json(const TrainConfig& c);
// Every field as `key = value` lines: a file load_config_file reads back to the same config.
std::string config_to_toml(const TrainConfig& c);
TrainConfig config_from_json(const std::string& json);

// Range and consistency checks; errors name the flag and what to do instead.
void check_config(const TrainConfig& c);
// Queryable results-store columns: every field under its own name, except `study` (the
// store files the run under its study).
std::vector<Column> config_columns(const TrainConfig& c);
// The one-line command that reproduces the run: every kResult field the model kind reads,
// plus where results go (--db, --out, --checkpoint-every, --eval-every, --study).
std::string reproduce_command(const TrainConfig& c);
// "--lr: 0.001 (checkpoint) vs 0.002 (now)" for each kResult field that differs.
std::vector<std::string> result_differences(const TrainConfig& saved, const TrainConfig& now);

}  // namespace lowp
