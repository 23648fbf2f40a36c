// Number parsing and code/bit formatting for the CLI's stdin/stdout contracts.
#include "cli/text_io.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "util/bits.h"
#include "util/error.h"

namespace lowp::cli {

float parse_value(std::string_view token, const std::string& where) {
  const std::string t(token);
  auto bad = [&](const std::string& why) {
    fail(where + ": cannot read '" + t + "' as a number (" + why +
         "); write a decimal such as 0.1, -2.5e-3, inf, nan, or fp32 bits such as 0x3dcccccd");
  };
  if (t.empty()) bad("empty");
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    if (t.size() > 10) bad("more than 8 hex digits");
    uint32_t v = 0;
    for (size_t i = 2; i < t.size(); ++i) {
      const char c = t[i];
      const int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
      if (d < 0) bad("not a hex digit: '" + std::string(1, c) + "'");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    return u2f(v);
  }
  char* end = nullptr;
  errno = 0;
  const float v = std::strtof(t.c_str(), &end);
  if (end != t.c_str() + t.size()) bad("unexpected characters");
  return v;  // out-of-range decimals round to +-inf or a subnormal/zero, as fp32 parsing does
}

std::vector<std::string_view> split_values(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() &&
           (line[i] == ' ' || line[i] == '\t' || line[i] == ',' || line[i] == '\r'))
      ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != ',' &&
           line[j] != '\r')
      ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
  return buf;
}

int code_digits(const ElementFormat& f) {
  if (f.bits <= 4) return 1;
  if (f.bits <= 8) return 2;
  if (f.bits <= 16) return 4;
  if (f.bits <= 20) return 5;
  return 8;
}

std::string value_bits(float v) {
  return std::isnan(v) ? "NaN" : hex(f2u(v), 8);
}

std::vector<std::string> read_stdin_lines() {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(std::cin, line)) lines.push_back(line);
  return lines;
}

}  // namespace lowp::cli
