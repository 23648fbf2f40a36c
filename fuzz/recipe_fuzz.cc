// Fuzzes recipe files (TOML, or JSON when the text starts with '{'): any text parses or throws
// lowp::Error, and a parsed recipe's canonical JSON parses back to the same canonical JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "recipe/load.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using lowp::fuzz::check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lowp::Recipe r;
  try {
    // No base directory: a relative `base` file resolves against the fuzzer's scratch dir.
    r = lowp::parse_recipe(text, "fuzz.toml");
  } catch (const lowp::Error&) {
    return 0;
  }
  const std::string json = lowp::recipe_to_json(r);
  try {
    const std::string again = lowp::recipe_to_json(lowp::parse_recipe(json, "fuzz.json"));
    check(again == json, "canonical JSON " + json + " reads back as " + again);
  } catch (const lowp::Error& e) {
    check(false, "canonical JSON " + json + " does not read back: " + e.what());
  }
  return 0;
}
