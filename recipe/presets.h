// The named recipe presets: the TOML files of recipe/presets/, compiled into the library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lowp {

struct Preset {
  std::string name;
  std::string description;  // the file's first comment line
  std::string text;         // the TOML source
};

// In the order of LOWP_PRESETS in recipe/CMakeLists.txt.
const std::vector<Preset>& presets();
// The preset of that name, or nullptr.
const Preset* find_preset(std::string_view name);
// "fp32, bf16, ...", for help texts and errors.
std::string preset_names();

}  // namespace lowp
