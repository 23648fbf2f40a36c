// Reads finished training runs from the SQLite results store into the fitter's rows.
#include "study/store_runs.h"

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "util/error.h"

namespace lowp::study {

Dataset read_store(const std::string& path, const std::string& study) {
  Store st(path, /*read_only=*/true);
  Dataset d;
  d.source = path;
  for (const RunRow& r : st.runs(study, "completed")) {
    if (!r.final_val_loss || r.num_params <= 0 || r.steps_done <= 0) continue;
    nlohmann::json c;
    try {
      c = nlohmann::json::parse(r.config_json);
    } catch (const nlohmann::json::exception& e) {
      fail(path + ": run " + std::to_string(r.id) + " has a malformed config: " + e.what());
    }
    const double batch = c.value("batch", 0.0), seq = c.value("seq", 1.0);
    const bool lm = c.value("model", std::string("lm")) == "lm";
    Row row;
    row.N = static_cast<double>(r.num_params);
    row.D = static_cast<double>(r.steps_done) * batch * (lm ? seq : 1.0);
    row.loss = *r.final_val_loss;
    row.spec.format = "fp32";
    for (const SlotFormat& f : st.formats(r.id))
      if (f.slot == "fwd.w") {
        row.spec.format = f.format;
        break;
      }
    if (c.contains("seed")) row.seed = c["seed"].get<long long>();
    row.line = static_cast<int>(r.id);  // messages name the run id
    if (row.D > 0) d.rows.push_back(row);
  }
  if (d.rows.empty())
    fail(path + ": no completed run with a final validation loss" +
         (study.empty() ? std::string() : " in study '" + study + "'") + "; train some first");
  return d;
}

}  // namespace lowp::study
