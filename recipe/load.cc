// Recipe files (TOML or JSON) -> Recipe, with validation; Recipe -> canonical JSON.
#include "recipe/load.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "formats/format.h"
#include "recipe/options.h"
#include "recipe/presets.h"
#include "recipe/slots.h"
#include "util/error.h"
#include "util/file.h"

namespace lowp {
namespace {

using json = nlohmann::json;
constexpr const char* kGemms[] = {"fwd", "dgrad", "wgrad"};
constexpr int kMaxBaseDepth = 8;
constexpr int kMaxHadamard = 4096;

json toml_to_json(const toml::node& n, const std::string& where) {
  if (const auto* t = n.as_table()) {
    json j = json::object();
    for (const auto& [k, v] : *t) j[std::string(k.str())] = toml_to_json(v, where);
    return j;
  }
  if (const auto* a = n.as_array()) {
    json j = json::array();
    for (const auto& v : *a) j.push_back(toml_to_json(v, where));
    return j;
  }
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return i->get();
  if (const auto* f = n.as_floating_point()) return f->get();
  if (const auto* b = n.as_boolean()) return b->get();
  fail(where + ": dates and times have no meaning in a recipe");
}

json parse_document(std::string_view text, const std::string& origin) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    try {
      return json::parse(text);
    } catch (const json::exception& e) {  // also out_of_range: a number beyond double's range
      fail("recipe " + origin + ": invalid JSON: " + e.what());
    }
  }
  try {
    const toml::table t = toml::parse(text, std::string_view(origin));
    return toml_to_json(t, "recipe " + origin);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    fail("recipe " + origin + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
         ": invalid TOML: " + std::string(e.description()));
  }
}

std::string text_of(const json& v, const std::string& where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_float()) return v.dump();
  fail(where + ": needs a string, number or boolean, got " + v.dump());
}

std::string string_of(const json& v, const std::string& where) {
  if (!v.is_string()) fail(where + ": needs a string, got " + v.dump());
  return v.get<std::string>();
}

const json& table_of(const json& v, const std::string& where) {
  if (!v.is_object()) fail(where + ": needs a table, got " + v.dump());
  return v;
}

std::string canonical_format(const std::string& text, const std::string& where) {
  try {
    return parse_format(text).to_string();
  } catch (const Error& e) {
    fail(where + ": " + e.what());
  }
}

Transform parse_transform(const json& t, const std::string& where) {
  Transform x;
  for (const auto& [k, v] : table_of(t, where).items()) {
    const std::string at = where + "." + k;
    if (k == "hadamard") {
      // Range-checked before narrowing: 2^32 + 16 must not become 16.
      const bool in_range =
          v.is_number_unsigned()
              ? v.get<uint64_t>() <= kMaxHadamard
              : v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= kMaxHadamard;
      if (!in_range)
        fail(at + " = " + v.dump() + ": needs an integer block size, 0 (none) or a power of two " +
             "2.." + std::to_string(kMaxHadamard));
      x.hadamard = v.get<int>();
    } else if (k == "random_signs" || k == "new_signs_each_step") {
      if (!v.is_boolean()) fail(at + ": needs true or false");
      (k == "random_signs" ? x.random_signs : x.new_signs_each_step) = v.get<bool>();
    } else {
      fail(at + ": unknown key; valid: hadamard, random_signs, new_signs_each_step");
    }
  }
  return x;
}

void apply_document(Recipe& r, const json& doc, const std::string& origin,
                    const std::string& base_dir, int depth);

Recipe load_base(const std::string& name, const std::string& origin, const std::string& base_dir,
                 int depth) {
  if (depth >= kMaxBaseDepth)
    fail("recipe " + origin + ": `base` chain deeper than " + std::to_string(kMaxBaseDepth) +
         " (a cycle?)");
  Recipe r;
  if (const Preset* p = find_preset(name)) {
    apply_document(r, parse_document(p->text, "preset " + name), "preset " + name, "", depth + 1);
    return r;
  }
  std::filesystem::path path(name);
  if (path.is_relative() && !base_dir.empty()) path = std::filesystem::path(base_dir) / path;
  std::string why;
  const auto text = read_file(path.string(), why);
  if (!text)
    fail("recipe " + origin + ": base '" + name + "' is neither a preset (" + preset_names() +
         ") nor a readable file (" + path.string() + " " + why + ")");
  apply_document(r, parse_document(*text, path.string()), path.string(),
                 path.parent_path().string(), depth + 1);
  return r;
}

// Applies one document on top of `r` (which holds its base, if any).
void apply_document(Recipe& r, const json& doc, const std::string& origin,
                    const std::string& base_dir, int depth) {
  const std::string where = "recipe " + origin;
  table_of(doc, where);
  if (doc.contains("base"))
    r = load_base(string_of(doc["base"], where + ": base"), origin, base_dir, depth);
  r.name = doc.contains("name") ? string_of(doc["name"], where + ": name")
                                : std::filesystem::path(origin).stem().string();
  for (const auto& [k, v] : doc.items()) {
    if (k != "name" && k != "base" && k != "slots" && k != "transforms" && k != "overrides" &&
        k != "options")
      fail(where + ": unknown key '" + k +
           "'; valid: name, base, slots, transforms, overrides, "
           "options");
  }
  if (doc.contains("slots")) {
    const json& slots = table_of(doc["slots"], where + ": slots");
    // Groups first ("*" before the named groups), then single slots: the narrower key wins.
    for (int pass = 0; pass < 3; ++pass) {
      for (const auto& [k, v] : slots.items()) {
        const int rank = k == "*" ? 0 : (is_slot(k) ? 2 : 1);
        if (rank != pass) continue;
        const std::string at = where + ": slots." + k;
        const std::string fmt = canonical_format(string_of(v, at), at);
        for (const auto& s : expand_slots(k, at)) r.slots[s] = fmt;
      }
    }
  }
  if (doc.contains("transforms"))
    for (const auto& [k, v] : table_of(doc["transforms"], where + ": transforms").items())
      r.transforms[k] = parse_transform(v, where + ": transforms." + k);
  if (doc.contains("overrides")) {
    const json& list = doc["overrides"];
    if (!list.is_array()) fail(where + ": overrides needs an array of tables ([[overrides]])");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = where + ": overrides[" + std::to_string(i) + "]";
      const json& o = table_of(list[i], at);
      for (const auto& [k, v] : o.items())
        if (k != "layer" && k != "slot" && k != "format")
          fail(at + ": unknown key '" + k + "'; valid: layer, slot, format");
      for (const char* need : {"layer", "slot", "format"})
        if (!o.contains(need)) fail(at + ": missing '" + need + "'");
      const std::string layer = string_of(o["layer"], at + ".layer");
      const std::string fmt =
          canonical_format(string_of(o["format"], at + ".format"), at + ".format");
      for (const auto& s : expand_slots(string_of(o["slot"], at + ".slot"), at + ".slot"))
        r.overrides.push_back({layer, s, fmt});
    }
  }
  if (doc.contains("options"))
    for (const auto& [k, v] : table_of(doc["options"], where + ": options").items())
      r.options[k] = text_of(v, where + ": options." + k);
  validate_recipe(r, where);
}

}  // namespace

void validate_recipe(const Recipe& r, std::string_view where_) {
  const std::string where(where_);
  if (r.name.empty()) fail(where + ": the recipe needs a name");
  for (const auto& [slot, fmt] : r.slots) {
    if (!is_slot(slot)) expand_slots(slot, where + ": slots");  // throws with the valid names
    canonical_format(fmt, where + ": slots." + slot);
  }
  for (const auto& [gemm, t] : r.transforms) {
    const std::string at = where + ": transforms." + gemm;
    bool known = false;
    for (const char* g : kGemms) known = known || gemm == g;
    if (!known) fail(at + ": unknown GEMM; valid: fwd, dgrad, wgrad");
    const int h = t.hadamard;
    if (h != 0 && (h < 2 || h > kMaxHadamard || (h & (h - 1)) != 0))
      fail(at + ".hadamard = " + std::to_string(h) + ": needs 0 (none) or a power of two 2.." +
           std::to_string(kMaxHadamard));
    if (h == 0 && (t.random_signs || t.new_signs_each_step))
      fail(at + ": random signs need a Hadamard block size (hadamard = N)");
    if (t.new_signs_each_step && !t.random_signs)
      fail(at + ": new_signs_each_step needs random_signs = true");
  }
  for (const auto& o : r.overrides) {
    const std::string at = where + ": override of layer '" + o.layer + "'";
    if (o.layer.empty()) fail(at + ": empty layer pattern; use \"*\" for every layer");
    const size_t star = o.layer.find('*');
    if (star != std::string::npos && star + 1 != o.layer.size())
      fail(at + ": '*' may only end a pattern (a prefix match), as in \"layers.0.*\"");
    expand_slots(o.slot, at + ": slot");
    canonical_format(o.format, at + ": format");
  }
  for (const auto& [k, v] : r.options) check_recipe_option(k, v, where);
}

Recipe parse_recipe(std::string_view text, std::string_view origin, const std::string& base_dir) {
  Recipe r;
  apply_document(r, parse_document(text, std::string(origin)), std::string(origin), base_dir, 0);
  // Canonical option values (formats normalised) once the whole chain is merged.
  for (auto& [k, v] : r.options) v = check_recipe_option(k, v, "recipe " + std::string(origin));
  return r;
}

Recipe load_recipe(std::string_view name_or_file) {
  const std::string name(name_or_file);
  if (name.empty()) fail("empty recipe name; valid presets: " + preset_names() + ", or a file");
  if (const Preset* p = find_preset(name)) return parse_recipe(p->text, name);
  std::string why;
  const auto text = read_file(name, why);
  if (!text)
    fail("recipe '" + name + "' is neither a preset (" + preset_names() +
         ") nor a readable .toml/.json file: " + name + " " + why +
         "; name a preset or a recipe file");
  return parse_recipe(*text, name, std::filesystem::path(name).parent_path().string());
}

std::string recipe_to_json(const Recipe& r) {
  json j;
  j["name"] = r.name;
  j["slots"] = json::object();
  for (const auto& [k, v] : r.slots) j["slots"][k] = v;
  j["transforms"] = json::object();
  for (const auto& [k, t] : r.transforms)
    j["transforms"][k] = {{"hadamard", t.hadamard},
                          {"random_signs", t.random_signs},
                          {"new_signs_each_step", t.new_signs_each_step}};
  j["overrides"] = json::array();
  for (const auto& o : r.overrides)
    j["overrides"].push_back({{"layer", o.layer}, {"slot", o.slot}, {"format", o.format}});
  j["options"] = json::object();
  for (const auto& [k, v] : r.options) j["options"][k] = v;
  return j.dump();
}

Recipe resolve_layer_indices(Recipe r, int layers) {
  for (auto& o : r.overrides) {
    const std::string key = "layers.-";
    const size_t at = o.layer.find(key);
    if (at != 0 && (at == std::string::npos || o.layer[at - 1] != '.')) continue;
    const size_t num = at + key.size() - 1;  // at the '-'
    int idx = 0;
    const char* end = o.layer.data() + o.layer.size();
    auto [p, ec] = std::from_chars(o.layer.data() + num, end, idx);
    if (ec != std::errc() || (p != end && *p != '.' && *p != '*'))
      fail("recipe " + r.name + ": layer pattern '" + o.layer + "' has a malformed index");
    if (layers + idx < 0)
      fail("recipe " + r.name + ": layer pattern '" + o.layer + "' counts back past the first of " +
           std::to_string(layers) + " layers");
    o.layer = o.layer.substr(0, num) + std::to_string(layers + idx) + std::string(p, end);
  }
  return r;
}

}  // namespace lowp
