// Fuzzes the runs CSV of `lowp fit --data`: any text parses or throws lowp::Error; the parsed
// rows written back as CSV (to_csv: numbers to 9 digits) parse to the same rows.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz/fuzz_check.h"
#include "study/data.h"
#include "study/sample.h"
#include "util/error.h"

namespace {

using lowp::fuzz::check;

// to_csv prints 9 significant digits, so a number reads back within half a unit of the 9th.
bool close(double a, double b) {
  return std::fabs(a - b) <= 5e-9 * std::fabs(a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  lowp::study::Dataset d;
  try {
    d = lowp::study::parse_csv(in, "fuzz.csv");
  } catch (const lowp::Error&) {
    return 0;
  }
  const std::string csv = lowp::study::to_csv(d);
  std::istringstream again(csv);
  lowp::study::Dataset back;
  try {
    back = lowp::study::parse_csv(again, "written.csv");
  } catch (const lowp::Error& e) {
    check(false, "the rows written as CSV do not parse: " + std::string(e.what()) + "\n" + csv);
  }
  check(back.rows.size() == d.rows.size(), "row count changes through to_csv:\n" + csv);
  for (size_t i = 0; i < d.rows.size(); ++i) {
    const auto &a = d.rows[i], &b = back.rows[i];
    const std::string at = "row " + std::to_string(i) + " of\n" + csv;
    check(close(a.N, b.N) && close(a.D, b.D) && close(a.loss, b.loss), "N, D or loss: " + at);
    check(a.spec.format == b.spec.format,
          "format '" + a.spec.format + "' -> '" + b.spec.format + "': " + at);
    check(a.seed.value_or(0) == b.seed.value_or(0), "seed: " + at);
  }
  return 0;
}
