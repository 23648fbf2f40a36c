// Recipe switches: the table of known keys and the validation of their values.
#include "recipe/options.h"

#include <charconv>
#include <cmath>

#include "formats/format.h"
#include "recipe/slots.h"
#include "util/error.h"

namespace lowp {
namespace {

enum class Kind { boolean, integer, format, choice, scale_rule };

struct Entry {
  RecipeOption doc;
  Kind kind;
  long min = 0, max = 0;  // integers
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {{"optimizer", "adamw | sgd", "the optimizer the recipe prescribes (`--optimizer auto`)"},
       Kind::choice},
      {{"scaling", "current | delayed",
        "when per-tensor scales are chosen: from this step's amax, or from the amax history "
        "(TransformerEngine delayed scaling, applied next step)"},
       Kind::choice},
      {{"amax_history", "1..65536", "delayed scaling: amax history length"},
       Kind::integer,
       1,
       65536},
      {{"scale_margin", "-64..64", "delayed scaling: scale = max_finite / amax / 2^margin"},
       Kind::integer,
       -64,
       64},
      {{"double_quant", "true | false",
        "backward GEMM operands re-quantized from the quantized forward copies (Quartet)"},
       Kind::boolean},
      {{"clip_mask", "true | false",
        "entries clipped by the forward quantizer get zero gradient (QuEST trust mask)"},
       Kind::boolean},
      {{"ln_high_precision", "true | false",
        "norm inputs and affine parameters stay fp32 whatever norm.* says (Su et al.)"},
       Kind::boolean},
      {{"exponent_bump", "true | false",
        "bump an MX block's shared exponent when its max mantissa exceeds 1.75 (Su et al.)"},
       Kind::boolean},
      {{"vector_format", "a format string",
        "element-wise and vector ops rounded to this format "
        "(MX paper: bf16)"},
       Kind::format},
      {{"loss_format", "a format string", "the format of the loss computation"}, Kind::format},
      {{"allreduce_format", "a format string", "the format of the gradient all-reduce"},
       Kind::format},
      {{"scale_rule.", "rms:c=X | rms_pow2:c=X | amax_pow2:shift=K:div=X",
        "scale_rule.<slot>: a scale rule beyond the format grammar for that slot (QuEST, Quartet)"},
       Kind::scale_rule},
  };
  return e;
}

bool parse_number(std::string_view s, double& out) {
  // std::from_chars for double is available in GCC 12.
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

const std::vector<RecipeOption>& recipe_options() {
  static const std::vector<RecipeOption> docs = [] {
    std::vector<RecipeOption> d;
    for (const auto& e : entries()) d.push_back(e.doc);
    return d;
  }();
  return docs;
}

CustomScaleRule parse_scale_rule(std::string_view text) {
  CustomScaleRule r;
  const std::string whole(text);
  auto bad = [&](const std::string& why) {
    fail("scale rule '" + whole + "': " + why +
         "; valid: rms:c=X, rms_pow2:c=X, amax_pow2:shift=K:div=X");
  };
  size_t start = 0, colon = text.find(':');
  r.kind = std::string(text.substr(0, colon));
  if (r.kind != "rms" && r.kind != "rms_pow2" && r.kind != "amax_pow2") bad("unknown rule");
  bool have_c = false;
  while (colon != std::string_view::npos) {
    start = colon + 1;
    colon = text.find(':', start);
    const std::string_view part = text.substr(
        start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) bad("option '" + std::string(part) + "' needs key=value");
    const std::string_view key = part.substr(0, eq), val = part.substr(eq + 1);
    double v = 0;
    if (!parse_number(val, v)) bad("'" + std::string(key) + "' needs a finite number");
    const bool rms = r.kind != "amax_pow2";
    if (rms && key == "c") {
      if (v <= 0) bad("c must be positive");
      r.c = v;
      have_c = true;
    } else if (!rms && key == "shift") {
      if (v != std::floor(v) || std::fabs(v) > 64) bad("shift must be an integer in -64..64");
      r.shift = static_cast<int>(v);
    } else if (!rms && key == "div") {
      if (v <= 0) bad("div must be positive");
      r.div = v;
    } else {
      bad("option '" + std::string(key) + "' does not apply to " + r.kind);
    }
  }
  if (r.kind != "amax_pow2" && !have_c) bad(r.kind + " needs c=X");
  return r;
}

std::string check_recipe_option(std::string_view key, std::string_view value,
                                std::string_view where) {
  const std::string at = std::string(where) + ": option '" + std::string(key) + "'";
  for (const auto& e : entries()) {
    const std::string_view k = e.doc.key;
    const bool prefix = k.back() == '.';
    if (prefix ? key.substr(0, k.size()) != k : key != k) continue;
    try {
      switch (e.kind) {
        case Kind::boolean:
          if (value != "true" && value != "false") fail("must be true or false");
          return std::string(value);
        case Kind::integer: {
          long v = 0;
          auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
          if (ec != std::errc() || p != value.data() + value.size() || v < e.min || v > e.max)
            fail(std::string("must be an integer in ") + e.doc.values);
          return std::string(value);
        }
        case Kind::format:
          return parse_format(value).to_string();
        case Kind::choice: {
          const std::string vals = e.doc.values;
          size_t s = 0;
          while (s <= vals.size()) {
            size_t bar = vals.find(" | ", s);
            if (vals.substr(s, bar == std::string::npos ? std::string::npos : bar - s) == value)
              return std::string(value);
            if (bar == std::string::npos) break;
            s = bar + 3;
          }
          fail("must be one of " + vals);
        }
        case Kind::scale_rule:
          if (!is_slot(key.substr(k.size())))
            fail("names no slot after '" + std::string(k) +
                 "' (a single slot, e.g. scale_rule.fwd.x)");
          parse_scale_rule(value);
          return std::string(value);
      }
    } catch (const Error& err) {
      fail(at + " = '" + std::string(value) + "': " + err.what());
    }
  }
  std::string keys;
  for (const auto& e : entries()) {
    const std::string k = e.doc.key;
    keys += (keys.empty() ? "" : ", ") + k + (k.back() == '.' ? "<slot>" : "");
  }
  fail(at + " is unknown; valid options: " + keys);
}

}  // namespace lowp
