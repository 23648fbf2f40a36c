// Slot lookup over recipe.h's frozen names, and the slot groups recipe files may use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lowp {

// Every slot of recipe.h, in declaration order (linear, attention, other).
const std::vector<std::string>& all_slots();
bool is_slot(std::string_view name);

// A slot or a group: "linear" (the six GEMM operand slots), "attention" (the attention GEMM
// operands), "*" (every slot). Throws lowp::Error (prefixed with `where`) for unknown names,
// listing the valid ones.
std::vector<std::string> expand_slots(std::string_view name, std::string_view where);

}  // namespace lowp
