// Slot lookup and groups.
#include "recipe/slots.h"

#include "recipe/recipe.h"
#include "util/error.h"

namespace lowp {

const std::vector<std::string>& all_slots() {
  static const std::vector<std::string> slots = [] {
    std::vector<std::string> s;
    for (const char* n : kLinearSlots) s.emplace_back(n);
    for (const char* n : kAttentionSlots) s.emplace_back(n);
    for (const char* n : kOtherSlots) s.emplace_back(n);
    return s;
  }();
  return slots;
}

bool is_slot(std::string_view name) {
  for (const auto& s : all_slots())
    if (s == name) return true;
  return false;
}

std::vector<std::string> expand_slots(std::string_view name, std::string_view where) {
  if (name == "*") return all_slots();
  if (name == "linear") return {std::begin(kLinearSlots), std::end(kLinearSlots)};
  if (name == "attention") return {std::begin(kAttentionSlots), std::end(kAttentionSlots)};
  if (is_slot(name)) return {std::string(name)};
  std::string valid;
  for (const auto& s : all_slots()) valid += (valid.empty() ? "" : ", ") + s;
  fail(std::string(where) + ": unknown slot '" + std::string(name) + "'; valid slots: " + valid +
       "; groups: linear, attention, *");
}

}  // namespace lowp
