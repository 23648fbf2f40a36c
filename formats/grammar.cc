// The format grammar: `base[:option]...` -> Format, and Format -> canonical text.
#include <charconv>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "formats/format.h"
#include "util/error.h"

namespace lowp {
namespace {

constexpr const char* kRoundNames[] = {"rne",  "rna", "rnz", "rtz",     "up",
                                       "down", "odd", "sr",  "sr_equal"};
constexpr const char* kProfileNames[] = {
    "lowp", "ml_dtypes", "microxcaling", "microxcaling_cuda", "torchao", "te"};
constexpr const char* kScaleTypeNames[] = {"none", "e8m0", "ue4m3", "fp32", "pow2"};
constexpr const char* kScaleRuleNames[] = {"floor", "ceil", "even", "rceil", "floor_py", "amax"};
constexpr const char* kSpecialsNames[] = {"ieee", "fn", "fnuz", "finite"};

template <size_t N>
std::string choices(const char* const (&names)[N]) {
  std::string s;
  for (size_t i = 0; i < N; ++i) s += (i ? ", " : "") + std::string(names[i]);
  return s;
}

template <size_t N>
int lookup(const char* const (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<int>(i);
  return -1;
}

// An integer in [lo, hi] written plainly (digits, an optional '-', no leading zeros or "-0"), so
// a value never wraps when narrowed and every number has one spelling.
long long parse_int(std::string_view text, std::string_view what, std::string_view whole,
                    long long lo, long long hi) {
  long long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && (v < lo || v > hi)))
    fail("format '" + std::string(whole) + "': " + std::string(what) + " needs an integer in " +
         std::to_string(lo) + ".." + std::to_string(hi) + ", got '" + std::string(text) + "'");
  if (ec != std::errc() || p != text.data() + text.size())
    fail("format '" + std::string(whole) + "': " + std::string(what) + " needs an integer, got '" +
         std::string(text) + "'");
  if (std::to_string(v) != text)
    fail("format '" + std::string(whole) + "': " + std::string(what) + " '" + std::string(text) +
         "' is not written plainly; write " + std::to_string(v));
  return v;
}

// A 64-bit seed: 0..2^64-1, plain digits.
uint64_t parse_seed(std::string_view text, std::string_view whole) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || std::to_string(v) != text)
    fail("format '" + std::string(whole) + "': seed needs an integer in 0..18446744073709551615 " +
         "without leading zeros, got '" + std::string(text) + "'");
  return v;
}

// Sets the named MX defaults: block 32 along rows, E8M0 scale, OCP floor rule, saturation.
Format mx(const char* name, ElementFormat elem) {
  Format f;
  f.name = name;
  f.elem = elem;
  f.granularity = Granularity::block;
  f.block = 32;
  f.scale = ScaleType::e8m0;
  f.rule = ScaleRule::floor;
  f.cast.saturate = true;
  return f;
}

Format element(const char* name, ElementFormat elem) {
  Format f;
  f.name = name;
  f.elem = elem;
  return f;
}

// The default convention of an unnamed eXmY: finite-only below 8 bits (as FP4/FP6), else ieee.
Specials default_specials(int e, int m) {
  return e + m + 1 < 8 ? Specials::finite : Specials::ieee;
}

// The base format before options; nullopt-like empty name when `base` is not a format.
Format base_format(std::string_view base, std::string_view whole) {
  const std::string b(base);
  if (b == "e4m3" || b == "e4m3fn") return element("e4m3", make_minifloat(4, 3, Specials::fn));
  if (b == "e4m3_ieee") return element("e4m3_ieee", make_minifloat(4, 3, Specials::ieee));
  if (b == "e5m2") return element("e5m2", make_minifloat(5, 2, Specials::ieee));
  if (b == "e4m3fnuz") return element("e4m3fnuz", make_minifloat(4, 3, Specials::fnuz));
  if (b == "e5m2fnuz") return element("e5m2fnuz", make_minifloat(5, 2, Specials::fnuz));
  if (b == "e4m3b11fnuz") return element("e4m3b11fnuz", make_minifloat(4, 3, Specials::fnuz, 11));
  if (b == "e3m4") return element("e3m4", make_minifloat(3, 4, Specials::ieee));
  if (b == "e3m2") return element("e3m2", make_minifloat(3, 2, Specials::finite));
  if (b == "e2m3") return element("e2m3", make_minifloat(2, 3, Specials::finite));
  if (b == "e2m1") return element("e2m1", make_minifloat(2, 1, Specials::finite));
  if (b == "e8m0") return element("e8m0", make_e8m0());
  if (b == "ue4m3") return element("ue4m3", make_unsigned(make_minifloat(4, 3, Specials::fn)));
  if (b == "bf16" || b == "bfloat16") return element("bf16", make_minifloat(8, 7, Specials::ieee));
  if (b == "fp16" || b == "half") return element("fp16", make_minifloat(5, 10, Specials::ieee));
  if (b == "tf32") return element("tf32", make_minifloat(8, 10, Specials::ieee));
  if (b == "fp32") return element("fp32", make_fp32());
  if (b == "mxfp8_e4m3") return mx("mxfp8_e4m3", make_minifloat(4, 3, Specials::fn));
  if (b == "mxfp8_e5m2") return mx("mxfp8_e5m2", make_minifloat(5, 2, Specials::ieee));
  if (b == "mxfp6_e3m2") return mx("mxfp6_e3m2", make_minifloat(3, 2, Specials::finite));
  if (b == "mxfp6_e2m3") return mx("mxfp6_e2m3", make_minifloat(2, 3, Specials::finite));
  if (b == "mxfp4") return mx("mxfp4", make_minifloat(2, 1, Specials::finite));
  if (b == "mxint8") return mx("mxint8", make_integer(8, true, 6));
  if (b == "nvfp4") {
    Format f = element("nvfp4", make_minifloat(2, 1, Specials::finite));
    f.granularity = Granularity::block;
    f.block = 16;
    f.scale = ScaleType::ue4m3;
    f.rule = ScaleRule::amax;
    f.tensor_scale = true;
    f.cast.saturate = true;
    return f;
  }
  if (b.size() >= 4 && b.rfind("int", 0) == 0) {
    const long long bits = parse_int(base.substr(3), "intN's bit count", whole, 0, 99);
    if (bits < 2 || bits > 8)
      fail("format '" + std::string(whole) + "': integer formats are int2 to int8");
    Format f = element("", make_integer(static_cast<int>(bits)));
    f.name = b;
    return f;
  }
  if (b.size() >= 4 && b[0] == 'e') {
    const size_t m = b.find('m');
    if (m != std::string::npos && m > 1 && m + 1 < b.size()) {
      const long long e = parse_int(base.substr(1, m - 1), "eXmY's exponent bits", whole, 0, 99);
      const long long mm = parse_int(base.substr(m + 1), "eXmY's mantissa bits", whole, 0, 99);
      if (e < 1 || e > 8 || mm > 10 || e + mm + 1 > 16)
        fail("format '" + std::string(whole) +
             "': eXmY needs 1 <= X <= 8, 0 <= Y <= 10 and "
             "X+Y+1 <= 16");
      Format f =
          element("", make_minifloat(static_cast<int>(e), static_cast<int>(mm),
                                     default_specials(static_cast<int>(e), static_cast<int>(mm))));
      f.name = b;
      return f;
    }
  }
  std::string names;
  for (const auto& n : named_formats()) names += std::string(names.empty() ? "" : ", ") + n.name;
  fail("format '" + std::string(whole) + "': unknown format '" + b + "'; valid: " + names +
       ", any eXmY, int2..int8");
}

}  // namespace

const char* round_name(Round r) {
  return kRoundNames[static_cast<int>(r)];
}
const char* profile_name(Profile p) {
  return kProfileNames[static_cast<int>(p)];
}
const char* scale_type_name(ScaleType s) {
  return kScaleTypeNames[static_cast<int>(s)];
}
const char* scale_rule_name(ScaleRule r) {
  return kScaleRuleNames[static_cast<int>(r)];
}

Round parse_round(std::string_view s) {
  if (s == "even") return Round::rne;
  if (s == "nearest") return Round::rna;
  if (s == "floor") return Round::rtz;
  const int i = lookup(kRoundNames, s);
  if (i < 0)
    fail("unknown rounding mode '" + std::string(s) + "'; valid: " + choices(kRoundNames) +
         " (aliases: even = rne, nearest = rna, floor = rtz)");
  return static_cast<Round>(i);
}

Profile parse_profile(std::string_view s) {
  const int i = lookup(kProfileNames, s);
  if (i < 0) fail("unknown profile '" + std::string(s) + "'; valid: " + choices(kProfileNames));
  return static_cast<Profile>(i);
}

const std::vector<NamedFormat>& named_formats() {
  static const std::vector<NamedFormat> names = {
      {"e4m3", "OCP FP8 E4M3 (e4m3fn): no inf, NaN 0x7F/0xFF"},
      {"e4m3_ieee", "IEEE-style E4M3 with inf"},
      {"e5m2", "OCP FP8 E5M2 (IEEE-style)"},
      {"e4m3fnuz", "E4M3, bias 8, single NaN 0x80, no -0"},
      {"e5m2fnuz", "E5M2, bias 16, single NaN 0x80, no -0"},
      {"e4m3b11fnuz", "E4M3, bias 11, single NaN 0x80, no -0"},
      {"e3m4", "E3M4 (IEEE-style)"},
      {"e3m2", "OCP FP6 E3M2 (finite only)"},
      {"e2m3", "OCP FP6 E2M3 (finite only)"},
      {"e2m1", "OCP FP4 E2M1 (finite only)"},
      {"e8m0", "OCP E8M0 scale: 2^(k-127), NaN 0xFF"},
      {"ue4m3", "unsigned E4M3 (NVFP4 block scale)"},
      {"bf16", "bfloat16"},
      {"fp16", "IEEE binary16"},
      {"tf32", "TensorFloat-32 (19 bits)"},
      {"fp32", "IEEE binary32 (identity)"},
      {"int2", "symmetric 2-bit integer"},
      {"int3", "symmetric 3-bit integer"},
      {"int4", "symmetric 4-bit integer"},
      {"int5", "symmetric 5-bit integer"},
      {"int6", "symmetric 6-bit integer"},
      {"int7", "symmetric 7-bit integer"},
      {"int8", "symmetric 8-bit integer"},
      {"mxfp8_e4m3", "OCP MX: E4M3 x 32, E8M0 scale"},
      {"mxfp8_e5m2", "OCP MX: E5M2 x 32, E8M0 scale"},
      {"mxfp6_e3m2", "OCP MX: E3M2 x 32, E8M0 scale"},
      {"mxfp6_e2m3", "OCP MX: E2M3 x 32, E8M0 scale"},
      {"mxfp4", "OCP MX: E2M1 x 32, E8M0 scale"},
      {"mxint8", "OCP MX: INT8 (k/64) x 32, E8M0 scale"},
      {"nvfp4", "NVIDIA NVFP4: E2M1 x 16, ue4m3 scale, fp32 tensor scale"},
  };
  return names;
}

Format parse_format(std::string_view text) {
  if (text.empty()) fail("empty format string; try e.g. e4m3, mxfp4 or nvfp4");
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ':') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  Format f = base_format(parts[0], text);
  const std::string whole(text);
  auto bad = [&](std::string_view part, const std::string& why) {
    fail("format '" + whole + "': option '" + std::string(part) + "' " + why);
  };
  bool rule_set = false, round_set = false;
  int specials = -1, bias = kDefaultBias;
  // Each property is set by one option at most: a second setting (`round=sr:round=rne`,
  // `sat:nosat`, `block=32:channel`) repeats or contradicts the first, and taking the last
  // would silently drop what the user wrote first.
  std::vector<std::pair<std::string_view, std::string_view>> given;  // (property, option)
  auto once = [&](std::string_view property, std::string_view part) {
    for (const auto& [prop, first] : given)
      if (prop == property)
        fail("format '" + whole + "': option '" + std::string(part) + "' sets the " +
             std::string(property) + " again (already set by '" + std::string(first) +
             "'); give each option once");
    given.emplace_back(property, part);
  };
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string_view p = parts[i];
    const size_t eq = p.find('=');
    const std::string_view key = p.substr(0, eq);
    const std::string_view val = eq == std::string_view::npos ? "" : p.substr(eq + 1);
    if (eq == std::string_view::npos) {
      if (key == "sat" || key == "nosat") {
        once("saturation", p);
        f.cast.saturate = key == "sat";
      } else if (key == "ftz") {
        once("subnormal flush", p);
        f.cast.subnormals = false;
      } else if (key == "channel" || key == "tensor") {
        once("scaling granularity", p);
        f.granularity = key == "channel" ? Granularity::channel : Granularity::tensor;
      } else if (key == "full") {
        once("integer range", p);
        f.elem.symmetric = false;
      } else {
        bad(p,
            "is unknown; flags: sat, nosat, ftz, channel, tensor, full; keys: round=, bits=, "
            "seed=, stream=, profile=, scale=, block=, tile=, axis=, levels=, bias=, "
            "specials=");
      }
    } else if (key == "round") {
      once("rounding", p);
      f.cast.round = parse_round(val);
      round_set = true;
    } else if (key == "bits") {
      once("random bits", p);
      f.cast.sr_bits =
          static_cast<int>(parse_int(val, "bits (random bits of round=sr)", whole, 1, 32));
    } else if (key == "seed") {
      once("seed", p);
      f.cast.seed = parse_seed(val, whole);
    } else if (key == "stream") {
      once("stream", p);
      f.cast.stream = static_cast<uint32_t>(parse_int(val, "stream", whole, 0, UINT32_MAX));
    } else if (key == "profile") {
      once("profile", p);
      f.cast.profile = parse_profile(val);
    } else if (key == "scale") {
      const int t = lookup(kScaleTypeNames, val), r = lookup(kScaleRuleNames, val);
      if (t > 0) {
        once("scale type", p);
        f.scale = static_cast<ScaleType>(t);
      } else if (r >= 0) {
        once("scale rule", p);
        f.rule = static_cast<ScaleRule>(r);
        rule_set = true;
      } else {
        bad(p, "names no scale type (e8m0, ue4m3, fp32, pow2) or rule (" +
                   choices(kScaleRuleNames) + ")");
      }
    } else if (key == "block" || key == "tile") {
      once("scaling granularity", p);
      constexpr long long kMaxBlock = 1 << 20;
      const size_t x = val.find('x');
      if (x == std::string_view::npos) {
        f.block = static_cast<int>(parse_int(val, key, whole, 1, kMaxBlock));
        f.tile_rows = 0;
      } else {
        f.tile_rows =
            static_cast<int>(parse_int(val.substr(0, x), "tile rows", whole, 1, kMaxBlock));
        f.block = static_cast<int>(parse_int(val.substr(x + 1), key, whole, 1, kMaxBlock));
      }
      f.granularity = Granularity::block;
    } else if (key == "axis") {
      once("axis", p);
      if (val == "row")
        f.axis = Axis::row;
      else if (val == "col")
        f.axis = Axis::col;
      else
        bad(p, "must be axis=row (blocks along rows) or axis=col (along columns)");
    } else if (key == "levels") {
      once("scale levels", p);
      if (val == "1")
        f.tensor_scale = false;
      else if (val == "2")
        f.tensor_scale = true;
      else
        bad(p, "must be levels=1 (block scales only) or levels=2 (plus an fp32 tensor scale)");
    } else if (key == "bias") {
      once("exponent bias", p);
      bias = static_cast<int>(parse_int(val, "bias", whole, -1000, 1000));
    } else if (key == "specials") {
      once("specials", p);
      specials = lookup(kSpecialsNames, val);
      if (specials < 0) bad(p, "must be one of " + choices(kSpecialsNames));
    } else {
      bad(p,
          "is unknown; keys: round, bits, seed, stream, profile, scale, block, tile, axis, "
          "levels, bias, specials");
    }
  }
  if (specials >= 0 || bias != kDefaultBias) {
    if (f.elem.kind != ElemKind::minifloat || f.scaled())
      fail("format '" + whole + "': bias= and specials= apply to plain eXmY element formats only");
    const Specials s = specials >= 0 ? static_cast<Specials>(specials) : f.elem.specials;
    const bool was_unsigned = !f.elem.is_signed;
    f.elem =
        make_minifloat(f.elem.ebits, f.elem.mbits, s,
                       bias != kDefaultBias ? bias : (specials >= 0 ? kDefaultBias : f.elem.bias));
    if (was_unsigned) f.elem = make_unsigned(f.elem);
  }
  // Defaults that depend on the options: the scale type of a granularity given by an option,
  // the rule that fits the scale type, and a profile's own rounding and scale rule.
  if (f.scaled() && f.scale == ScaleType::none)
    f.scale = f.granularity == Granularity::block ? ScaleType::e8m0 : ScaleType::fp32;
  const bool pow2_scale = f.scale == ScaleType::e8m0 || f.scale == ScaleType::pow2;
  if (f.scaled() && !rule_set) {
    f.rule = pow2_scale ? ScaleRule::floor : ScaleRule::amax;
    if (pow2_scale && f.cast.profile == Profile::microxcaling) f.rule = ScaleRule::floor_py;
  }
  if (!round_set && f.cast.profile == Profile::microxcaling) f.cast.round = Round::rna;
  if (f.scaled()) {
    if (pow2_scale == (f.rule == ScaleRule::amax))
      fail("format '" + whole + "': scale rule " + scale_rule_name(f.rule) + " does not fit " +
           scale_type_name(f.scale) +
           " scales; e8m0/pow2 take floor, ceil, even, rceil, "
           "floor_py; ue4m3/fp32 take amax");
    if (f.tensor_scale && f.scale != ScaleType::ue4m3)
      fail("format '" + whole + "': levels=2 needs ue4m3 block scales");
    if (f.granularity == Granularity::block && f.block < 1)
      fail("format '" + whole + "': block granularity needs block=N");
    if (f.elem.kind == ElemKind::e8m0 || f.elem.kind == ElemKind::fp32)
      fail("format '" + whole + "': " + f.name + " cannot be a block-scaled element");
  }
  if (!f.scaled() && (f.scale != ScaleType::none || rule_set))
    fail("format '" + whole + "': scale= needs block=N, channel or tensor");
  if (f.cast.sr_bits && f.cast.round != Round::sr)
    fail("format '" + whole + "': bits= sets stochastic rounding's random bits; add round=sr");
  return f;
}

std::string Format::to_string() const {
  // Print the base (with its profile), then every field that differs from what the base
  // alone parses to; parsing that text back yields exactly this format.
  std::string s = name;
  if (cast.profile != Profile::lowp) s += std::string(":profile=") + profile_name(cast.profile);
  const Format d = parse_format(s);
  if (elem.kind == ElemKind::minifloat &&
      (elem.specials != d.elem.specials || elem.bias != d.elem.bias)) {
    s += std::string(":specials=") + kSpecialsNames[static_cast<int>(elem.specials)];
    s += ":bias=" + std::to_string(elem.bias);
  }
  if (elem.symmetric != d.elem.symmetric) s += ":full";
  if (granularity != d.granularity || block != d.block || tile_rows != d.tile_rows) {
    if (granularity == Granularity::channel)
      s += ":channel";
    else if (granularity == Granularity::tensor)
      s += ":tensor";
    else if (tile_rows > 0)
      s += ":tile=" + std::to_string(tile_rows) + "x" + std::to_string(block);
    else
      s += ":block=" + std::to_string(block);
  }
  if (axis != d.axis) s += axis == Axis::col ? ":axis=col" : ":axis=row";
  // Levels before the scale type: the prefix is parsed to see what the type changes, and
  // nvfp4's two levels need ue4m3 scales, so `nvfp4:scale=pow2` alone would not parse.
  if (tensor_scale != d.tensor_scale) s += tensor_scale ? ":levels=2" : ":levels=1";
  if (scaled() && parse_format(s).scale != scale)
    s += std::string(":scale=") + scale_type_name(scale);
  if (scaled() && parse_format(s).rule != rule) s += std::string(":scale=") + scale_rule_name(rule);
  if (cast.round != d.cast.round) s += std::string(":round=") + round_name(cast.round);
  if (cast.sr_bits != d.cast.sr_bits) s += ":bits=" + std::to_string(cast.sr_bits);
  if (cast.seed != d.cast.seed) s += ":seed=" + std::to_string(cast.seed);
  if (cast.stream != d.cast.stream) s += ":stream=" + std::to_string(cast.stream);
  if (cast.saturate != d.cast.saturate) s += cast.saturate ? ":sat" : ":nosat";
  if (cast.subnormals != d.cast.subnormals) s += ":ftz";
  return s;
}

}  // namespace lowp
