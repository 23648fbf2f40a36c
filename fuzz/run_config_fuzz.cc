// Fuzzes run configs (`lowp train --config run.toml`, TOML or JSON): any text loads or throws
// lowp::Error; a loaded config written as TOML (config_to_toml) and as JSON (the checkpoint's
// copy, for configs that pass check_config) reads back field for field.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "train/config.h"
#include "util/error.h"

namespace {

using lowp::fuzz::check;

void same_fields(const lowp::TrainConfig& a, const lowp::TrainConfig& b, const std::string& how) {
  for (const auto& f : lowp::train_fields())
    check(lowp::field_text(f, a) == lowp::field_text(f, b),
          std::string(f.name) + " = '" + lowp::field_text(f, a) + "' reads back through " + how +
              " as '" + lowp::field_text(f, b) + "'");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lowp::TrainConfig c;
  try {
    lowp::load_config_text(c, text, "fuzz.toml");
  } catch (const lowp::Error&) {
    return 0;
  }
  const std::string toml = lowp::config_to_toml(c);
  try {
    lowp::TrainConfig back;
    lowp::load_config_text(back, toml, "written.toml");
    same_fields(c, back, "TOML");
  } catch (const lowp::Error& e) {
    check(false,
          "the config written as TOML does not load: " + std::string(e.what()) + "\n" + toml);
  }
  // Checkpoints and the results store keep the JSON of configs that passed the checks.
  try {
    lowp::check_config(c);
  } catch (const lowp::Error&) {
    return 0;
  }
  const std::string json = lowp::config_to_json(c);
  try {
    same_fields(c, lowp::config_from_json(json), "JSON");
  } catch (const lowp::Error& e) {
    check(false, "the checked config written as JSON does not load: " + std::string(e.what()) +
                     "\n" + json);
  }
  return 0;
}
