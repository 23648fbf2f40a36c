// The fp32 value reader (decimal or 0x bits) and the bit printers of the CLI's text contracts.
#include "formats/value_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/bits.h"
#include "util/error.h"

namespace lowp {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_digit(char c) {
  return is_digit(c)              ? c - '0'
         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                  : -1;
}

bool equals_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != lower[i]) return false;
  }
  return true;
}

// Skips a run of decimal digits from `i`; returns how many there were.
size_t digits(std::string_view s, size_t& i) {
  const size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i - start;
}

// Does `s` (sign removed) have the shape digits[.digits][e[+-]digits] with at least one
// mantissa digit? Checked here because strtof also takes hex floats, nan(...) and spaces.
bool is_decimal(std::string_view s) {
  size_t i = 0;
  size_t mantissa = digits(s, i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits(s, i);
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits(s, i) == 0) return false;
  }
  return i == s.size();
}

}  // namespace

float parse_value(std::string_view token, const std::string& where) {
  const std::string t(token);
  auto bad = [&](const std::string& why) {
    fail(where + ": cannot read '" + t + "' as a number (" + why +
         "); write a decimal such as 0.1, -2.5e-3, inf, nan, or fp32 bits such as 0x3dcccccd");
  };
  if (t.empty()) bad("empty");
  const bool sign = t[0] == '+' || t[0] == '-';
  const std::string_view body = std::string_view(t).substr(sign ? 1 : 0);
  if (body.size() >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    if (sign)
      bad("a sign before 0x bits is ambiguous; put the sign in the bits, e.g. 0xbf800000 for -1");
    if (body.size() == 2) bad("no hex digits after 0x");
    if (body.size() > 10) bad("more than 8 hex digits");
    uint32_t v = 0;
    for (size_t i = 2; i < body.size(); ++i) {
      const int d = hex_digit(body[i]);
      if (d < 0) bad("not a hex digit: '" + std::string(1, body[i]) + "'");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    return u2f(v);
  }
  const bool word =
      equals_lower(body, "inf") || equals_lower(body, "infinity") || equals_lower(body, "nan");
  if (!word && !is_decimal(body)) bad("not a decimal number");
  // The shape is checked, so strtof reads all of it; out-of-range decimals round to +-inf or
  // +-0 as fp32 parsing does (errno's ERANGE is not an error here).
  return std::strtof(t.c_str(), nullptr);
}

std::vector<std::string_view> split_values(std::string_view line) {
  auto sep = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; };
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && sep(line[i])) ++i;
    size_t j = i;
    while (j < line.size() && !sep(line[j])) ++j;
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

std::string value_bits(float v) {
  return std::isnan(v) ? "NaN" : hex(f2u(v), 8);
}

}  // namespace lowp
