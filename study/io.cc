// fit.json: writing a fit report and reading constants back (for `lowp law --constants`).
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "study/report.h"
#include "util/error.h"

namespace lowp::study {
namespace {

using json = nlohmann::ordered_json;  // keys in the order written: "law" first

// NaN and inf are not JSON numbers: they become null.
json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json interval(const Interval& i, bool have) {
  if (!have) return nullptr;
  return json::array({number(i.lo), number(i.hi)});
}

json range_json(const Range& r) {
  json j = {{"N", {r.n_lo, r.n_hi}}, {"D", {r.d_lo, r.d_hi}}};
  if (r.bits_hi > 0) j["bits"] = {r.bits_lo, r.bits_hi};
  return j;
}

}  // namespace

std::string report_json(const FitReport& r) {
  const Law& law = *r.law;
  const bool ci = r.boot.succeeded > 0;
  json j;
  j["law"] = law.id();
  j["base_set"] = r.base.name;
  j["data"] = r.request.data;
  j["rows"] = r.rows;
  j["cells"] = r.cells;
  j["huber_delta"] = number(r.request.options.huber_delta);
  json consts = json::object(), ls = json::object();
  for (size_t i = 0; i < law.size(); ++i) {
    const char* name = law.params()[i].name;
    json c = {
        {"value", number(r.fit.constants.values[i])},
        {"ci95", r.fit.frozen[i].empty() ? interval(r.boot.constants[i], ci) : json(nullptr)}};
    if (!r.fit.frozen[i].empty()) c["frozen"] = r.fit.frozen[i];
    consts[name] = c;
    ls[name] = number(r.least_squares.constants.values[i]);
  }
  j["constants"] = consts;
  j["range"] = range_json(r.fit.constants.range);
  if (!r.fit.constants.eff_format.empty()) j["eff_format"] = r.fit.constants.eff_format;
  j["objective"] = number(r.fit.objective);
  j["starts"] = r.fit.starts;
  j["starts_at_best"] = r.fit.starts_at_best;
  j["stages"] = r.fit.stages;
  j["least_squares"] = {{"objective", number(r.least_squares.objective)}, {"constants", ls}};
  j["fit_quality"] = {{"rmse", number(r.fit.rmse)},
                      {"mare", number(r.fit.mare)},
                      {"rss_log", number(r.fit.rss)},
                      {"aic", number(r.fit.aic)},
                      {"bic", number(r.fit.bic)},
                      {"k", r.fit.k},
                      {"n", r.fit.n}};
  j["bootstrap"] = {{"requested", r.boot.requested},
                    {"succeeded", r.boot.succeeded},
                    {"seed", r.request.options.seed},
                    {"resampling", "whole (N, D) cells"}};
  json hs = json::array();
  for (const HoldoutResult& h : r.holdouts)
    hs.push_back({{"spec", h.spec},
                  {"done", h.done},
                  {"note", h.note},
                  {"rows_held_out", h.n_test},
                  {"rows_fitted", h.n_train},
                  {"rmse", h.done ? number(h.rmse) : json(nullptr)},
                  {"mare", h.done ? number(h.mare) : json(nullptr)}});
  j["holdout"] = hs;
  json answers = json::object();
  for (size_t k = 0; k < r.answers.size(); ++k) {
    const Answer& a = r.answers[k];
    answers[a.name] = {{"value", number(a.value)},
                       {"ci95", interval(ci ? r.boot.answer_intervals[k] : Interval{}, ci)},
                       {"unit", a.unit},
                       {"extrapolation", answer_notes(r.fit.constants, a)}};
  }
  j["derived"] = answers;
  j["context"] = {{"compute", r.context.compute}, {"N_ref", r.context.N_ref}, {"Bs", r.context.Bs}};
  j["at_bounds"] = r.at_bounds;
  return j.dump(2) + "\n";
}

ConstantSet read_constants(const Law& law, const std::string& path) {
  std::ifstream in(path);
  if (!in)
    fail("cannot open constants file '" + path + "'; give a fit.json written by lowp fit --out");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    fail("constants file '" + path + "' is not valid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("constants") || !j["constants"].is_object())
    fail("constants file '" + path + "' needs an object \"constants\": {\"<name>\": value, ...}");
  if (j.contains("law") && j["law"] != law.id())
    fail("constants file '" + path + "' is for law " + j["law"].dump() + ", not " + law.id());
  ConstantSet set;
  set.law = law.id();
  set.name = "file";
  set.source = path;
  set.values.assign(law.size(), 0);
  const json& c = j["constants"];
  for (auto it = c.begin(); it != c.end(); ++it) law.index(it.key());  // unknown names throw
  for (size_t i = 0; i < law.size(); ++i) {
    const char* name = law.params()[i].name;
    if (!c.contains(name))
      fail("constants file '" + path + "' lacks constant " + name + " of law " + law.id());
    const json& v = c[name].is_object() ? c[name]["value"] : c[name];
    if (!v.is_number()) fail("constants file '" + path + "': " + name + " is not a number");
    set.values[i] = v.get<double>();
  }
  set.range.known = false;
  if (j.contains("range") && j["range"].contains("N") && j["range"].contains("D")) {
    try {
      set.range = {true, j["range"]["N"][0], j["range"]["N"][1], j["range"]["D"][0],
                   j["range"]["D"][1]};
      if (j["range"].contains("bits")) {
        set.range.bits_lo = j["range"]["bits"][0];
        set.range.bits_hi = j["range"]["bits"][1];
      }
    } catch (const json::exception& e) {
      fail("constants file '" + path + "': bad \"range\": " + e.what());
    }
  }
  if (j.contains("eff_format") && j["eff_format"].is_string()) set.eff_format = j["eff_format"];
  return set;
}

}  // namespace lowp::study
