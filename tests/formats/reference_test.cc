// An independent reference: round by searching the sorted table of representable values.
// It knows nothing of exponent fields or shifts, so it checks the oracle's arithmetic for every
// format and mode, including those no golden file covers (e3m3, int formats, rna/rnz/up/down/odd).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "formats/format.h"
#include "util/bits.h"

namespace lowp {
namespace {

struct Entry {
  double value;
  uint32_t code;
};

// All finite values of a format with their codes, sorted (one entry per value; +0 for zero).
std::vector<Entry> table(const ElementFormat& e) {
  std::vector<Entry> t;
  for (uint32_t c = 0; c < (1u << e.bits); ++c) {
    if (is_nan_code(e, c) || (e.has_inf && (c & ~e.sign_bit) == e.inf_code)) continue;
    if (!e.is_signed && (c & e.sign_bit)) continue;
    const float v = decode(e, c);
    if (v == 0.0f && std::signbit(v)) continue;
    if (e.kind == ElemKind::integer && e.symmetric && c == e.sign_bit) continue;
    t.push_back({v, c});
  }
  std::sort(t.begin(), t.end(), [](const Entry& a, const Entry& b) { return a.value < b.value; });
  return t;
}

// The reference rounding of in-range x (|x| <= max finite) in `mode`.
double reference(const std::vector<Entry>& t, const ElementFormat& e, double x, Round mode) {
  auto hi_it = std::lower_bound(t.begin(), t.end(), x, [](const Entry& a, double v) { return a.value < v; });
  if (hi_it != t.end() && hi_it->value == x) return x;
  const Entry hi = *hi_it, lo = *(hi_it - 1);
  const double dlo = x - lo.value, dhi = hi.value - x;
  const bool neg = x < 0;
  const Entry& toward0 = neg ? hi : lo;
  const Entry& away = neg ? lo : hi;
  // "Even" is the code's last bit, except without mantissa bits (E8M0, eXm0), where the implicit
  // bit is the last kept bit: it is always 1, so ties round the magnitude up and `odd` truncates
  // (between 0 and the smallest value the code's own last bit decides, as usual).
  const bool no_mantissa = e.kind != ElemKind::integer && e.mbits == 0 && lo.value != 0 && hi.value != 0;
  const auto even = [&](const Entry& a) { return no_mantissa ? std::fabs(a.value) > std::fabs(x) : (a.code & 1) == 0; };
  switch (mode) {
    case Round::rtz: return toward0.value;
    case Round::up: return hi.value;
    case Round::down: return lo.value;
    case Round::odd: return no_mantissa ? toward0.value : ((lo.code & 1) ? lo.value : hi.value);
    case Round::rna:
      return dlo == dhi ? away.value : (dlo < dhi ? lo.value : hi.value);
    case Round::rnz:
      return dlo == dhi ? toward0.value : (dlo < dhi ? lo.value : hi.value);
    case Round::rne:
      return dlo == dhi ? (even(lo) ? lo.value : hi.value) : (dlo < dhi ? lo.value : hi.value);
    default: return NAN;
  }
}

// Inputs: every midpoint between neighbours and +-1 fp32 ulp around it, and log-uniform values.
std::vector<float> inputs(const std::vector<Entry>& t, double maxfin) {
  std::vector<float> x;
  for (size_t i = 1; i < t.size(); ++i) {
    const float mid = static_cast<float>((t[i - 1].value + t[i].value) / 2);
    for (float v : {mid, std::nextafter(mid, -INFINITY), std::nextafter(mid, INFINITY)}) x.push_back(v);
  }
  uint32_t s = 12345;
  for (int i = 0; i < 20000; ++i) {
    s = s * 1664525u + 1013904223u;
    const double mag = std::exp2(std::log2(maxfin) - 40.0 * (s >> 8) / 16777216.0);
    x.push_back(static_cast<float>((s & 1) ? -mag : mag));
  }
  std::vector<float> in_range;
  for (float v : x)
    if (std::fabs(v) <= maxfin && v != 0.0f) in_range.push_back(v);
  return in_range;
}

TEST(IndependentReference, EveryFormatEveryDeterministicMode) {
  const char* formats[] = {"e4m3", "e4m3_ieee", "e5m2", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e3m4",
                           "e3m2", "e2m3", "e2m1", "e8m0", "bf16", "fp16", "e3m3", "e2m2", "e5m0",
                           "e1m4", "e6m5", "e4m3:specials=finite:bias=5", "int2", "int3", "int4", "int8",
                           "int4:full"};
  const Round modes[] = {Round::rne, Round::rna, Round::rnz, Round::rtz, Round::up, Round::down, Round::odd};
  int64_t checked = 0;
  for (const char* name : formats) {
    const ElementFormat e = parse_format(name).elem;
    const auto t = table(e);
    const double maxfin = e.max_finite();
    const auto xs = inputs(t, maxfin);
    for (Round m : modes) {
      CastOptions o;
      o.round = m;
      int failures = 0;
      for (float x : xs) {
        if (e.kind == ElemKind::e8m0 && (x <= 0 || x < e.min_normal())) continue;  // no sign, no zero
        const double want = reference(t, e, x, m);
        const float got = quantize(e, x, o);
        // A zero result keeps the input's sign, except fnuz (+0 only) and integers (value path).
        const bool zero_sign_ok = want != 0 || e.specials == Specials::fnuz || e.kind == ElemKind::integer ||
                                  std::signbit(got) == std::signbit(x);
        if ((static_cast<double>(got) != want || !zero_sign_ok) && ++failures <= 3)
          ADD_FAILURE() << name << " " << round_name(m) << ": x=" << x << " (0x" << std::hex << f2u(x)
                        << std::dec << ") want " << want << " got " << got;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000000);
}

}  // namespace
}  // namespace lowp
