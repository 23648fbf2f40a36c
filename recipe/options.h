// The vocabulary of recipe switches (`[options]`): which keys exist, their values, their meaning.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lowp {

// One documented recipe switch. Keys ending in '.' take a slot name as suffix
// (e.g. "scale_rule.fwd.x").
struct RecipeOption {
  const char* key;
  const char* values;  // the accepted values, as shown in errors and `--help`
  const char* help;
};
const std::vector<RecipeOption>& recipe_options();

// Throws lowp::Error (prefixed with `where`) when `key` is not a known switch or `value` is not
// one of its values. Format-valued switches are canonicalised; returns the value to store.
std::string check_recipe_option(std::string_view key, std::string_view value,
                                std::string_view where);

// A scale rule beyond the format grammar (QuEST, Quartet), parsed from `scale_rule.<slot>`:
//   rms:c=X                   scale = X * rms(block)
//   rms_pow2:c=X              scale = 2^floor(log2(X * rms(block)))
//   amax_pow2:shift=K:div=X   scale = 2^(floor(log2 amax(block)) + K) / X
struct CustomScaleRule {
  std::string kind;  // "rms", "rms_pow2", "amax_pow2"
  double c = 1.0;
  int shift = 0;
  double div = 1.0;
};
CustomScaleRule parse_scale_rule(std::string_view text);

}  // namespace lowp
