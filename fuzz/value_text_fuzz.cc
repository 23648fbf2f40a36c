// Fuzzes the fp32 value reader of `lowp cast` / `lowp quantize` stdin: every token of every
// line parses or throws lowp::Error; a parsed value printed as 0x bits parses back to the same
// bits, and printed as a 9-digit decimal parses back to the same value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "formats/value_text.h"
#include "fuzz/fuzz_check.h"
#include "util/bits.h"
#include "util/error.h"

namespace {

using lowp::fuzz::check;

void round_trip(std::string_view token) {
  float x;
  try {
    x = lowp::parse_value(token, "fuzz");
  } catch (const lowp::Error&) {
    return;
  }
  const uint32_t bits = lowp::f2u(x);
  const std::string hex = lowp::hex(bits, 8);
  const std::string what = "'" + std::string(token) + "' read as " + hex;
  try {
    check(lowp::f2u(lowp::parse_value(hex, "fuzz")) == bits, what + ": its bits read back differ");
    char dec[64];
    std::snprintf(dec, sizeof dec, "%.9g", static_cast<double>(x));
    const float y = lowp::parse_value(dec, "fuzz");
    check(std::isnan(x) ? std::isnan(y) : lowp::f2u(y) == bits,
          what + ": printed as " + dec + " it reads back as " + lowp::hex(lowp::f2u(y), 8));
  } catch (const lowp::Error& e) {
    check(false, what + ": printing it gives text the reader rejects: " + e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  round_trip(text);  // the reader itself, on raw bytes (spaces, NULs, anything)
  size_t start = 0;
  while (start <= text.size()) {  // and as the CLI reads stdin: lines, then separators
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    for (std::string_view token : lowp::split_values(text.substr(start, end - start)))
      round_trip(token);
    start = end + 1;
  }
  return 0;
}
