// Recipes as data: parsing TOML/JSON recipe files and presets, validation, canonical JSON.
#pragma once

#include <string>
#include <string_view>

#include "recipe/recipe.h"

namespace lowp {

// Parses a recipe from text: TOML, or JSON when the text starts with '{'. Keys:
//   name = "..."                      (default: `origin`'s file stem)
//   base = "mxfp4"                    (optional: a preset or file to start from)
//   [slots] "fwd.x" = "mxfp4"         (a slot, or a group: linear, attention, * - groups apply
//                                      first, "*" before the others, then single slots)
//   [transforms.wgrad] hadamard = 16, random_signs = true, new_signs_each_step = false
//   [[overrides]] layer = "layers.0.*", slot = "linear", format = "bf16"
//   [options] scaling = "delayed", ... (see recipe/options.h)
// `origin` names the source in errors; `base_dir` resolves a relative `base` file.
// Formats are stored canonically (parse_format(s).to_string()). Throws lowp::Error.
Recipe parse_recipe(std::string_view text, std::string_view origin,
                    const std::string& base_dir = "");

// A preset name (see presets.h) or a path to a .toml / .json recipe file.
Recipe load_recipe(std::string_view name_or_file);

// Canonical JSON; parse_recipe(recipe_to_json(r), ...) reproduces r exactly.
std::string recipe_to_json(const Recipe& r);

// Replaces negative layer indices in override patterns by counting from the end:
// "layers.-1.*" names the last of `layers` layers. Throws if an index is out of range.
Recipe resolve_layer_indices(Recipe r, int layers);

// Checks every slot name, format string, transform and option; `where` prefixes errors.
void validate_recipe(const Recipe& r, std::string_view where);

}  // namespace lowp
