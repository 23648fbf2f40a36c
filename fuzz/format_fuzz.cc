// Fuzzes the format grammar: any text either parses or throws lowp::Error, and a parsed
// format prints to a string that parses back to the same format (and prints the same again).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/format.h"
#include "fuzz/fuzz_check.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using lowp::fuzz::check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lowp::Format f;
  try {
    f = lowp::parse_format(text);
  } catch (const lowp::Error&) {
    return 0;  // bad input, reported as such
  }
  const std::string printed = f.to_string();
  lowp::Format back;
  try {
    back = lowp::parse_format(printed);
  } catch (const lowp::Error& e) {
    check(false, "'" + std::string(text) + "' prints as '" + printed +
                     "', which does not parse: " + e.what());
  }
  check(back == f, "'" + std::string(text) + "' prints as '" + printed +
                       "', which parses to a different format ('" + back.to_string() + "')");
  check(back.to_string() == printed, "'" + printed + "' reprints as '" + back.to_string() + "'");
  return 0;
}
