// `lowp runs`: lists the runs of a results store; `lowp runs show ID` prints one run in full,
// ending with the command that reproduces it.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "store/store.h"
#include "train/config.h"
#include "util/error.h"

namespace {

struct RunsArgs {
  std::string db = "runs.db", study, status;
  int64_t id = 0;
};

std::string fixed(std::optional<double> v, const char* fmt) {
  if (!v) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

// Prints rows as left-aligned columns separated by two spaces.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += i + 1 < r.size() ? r[i] + std::string(width[i] - r[i].size() + 2, ' ') : r[i];
    std::printf("%s\n", line.c_str());
  }
}

void list_runs(const RunsArgs& a) {
  lowp::Store store(a.db, true);
  std::vector<std::vector<std::string>> rows = {
      {"id", "study", "status", "model", "recipe", "steps", "val_loss", "tok/s", "updated"}};
  for (const auto& r : store.runs(a.study, a.status)) {
    const lowp::TrainConfig c = lowp::config_from_json(r.config_json);
    rows.push_back({std::to_string(r.id), r.study, r.status, c.model.kind, r.recipe_name,
                    std::to_string(r.steps_done) + "/" + std::to_string(c.steps),
                    fixed(r.final_val_loss, "%.4f"), fixed(r.tokens_per_s, "%.0f"), r.updated});
  }
  if (rows.size() == 1) {
    std::fprintf(stderr, "no runs in %s%s\n", a.db.c_str(),
                 a.study.empty() && a.status.empty() ? "" : " matching the filters");
    return;
  }
  print_table(rows);
}

void show_run(const RunsArgs& a) {
  lowp::Store store(a.db, true);
  const auto r = store.run(a.id);
  if (!r)
    lowp::fail("no run " + std::to_string(a.id) + " in " + a.db + "; `lowp runs --db " + a.db +
               "` lists them");
  const lowp::TrainConfig c = lowp::config_from_json(r->config_json);
  std::printf("run %lld (uid %s) in study %s\n", static_cast<long long>(r->id), r->uid.c_str(),
              r->study.c_str());
  std::printf("status      %s%s%s\n", r->status.c_str(), r->reason.empty() ? "" : ": ",
              r->reason.c_str());
  std::printf("steps       %lld of %lld (resumed %lld times)\n",
              static_cast<long long>(r->steps_done), static_cast<long long>(c.steps),
              static_cast<long long>(r->resumes));
  std::printf("val_loss    %s   tokens/s %s\n", fixed(r->final_val_loss, "%.6f").c_str(),
              fixed(r->tokens_per_s, "%.1f").c_str());
  std::printf("parameters  %lld\n", static_cast<long long>(r->num_params));
  std::printf("gemm        %s\n", r->gemm.empty() ? "(not recorded)" : r->gemm.c_str());
  std::printf("created     %s   updated %s\n", r->created.c_str(), r->updated.c_str());
  std::printf("code        %s   host %s pid %lld\n", r->code_version.c_str(), r->host.c_str(),
              static_cast<long long>(r->pid));
  std::printf("recipe      %s\n", r->recipe_name.c_str());
  for (const auto& f : store.formats(r->id))
    std::printf("  %-10s %-18s %s\n", f.slot.c_str(),
                f.layer.empty() ? "(all layers)" : f.layer.c_str(), f.format.c_str());
  std::printf("config (the fields a %s run reads)\n", c.model.kind.c_str());
  for (const auto& f : lowp::train_fields())
    if (lowp::field_applies(f, c.model.kind))
      std::printf("  %-18s %s\n", f.name, lowp::field_text(f, c).c_str());
  const auto m = store.metrics(r->id);
  if (!m.empty())
    std::printf("metrics     %zu steps, loss %.4f at step 0, %.4f at step %lld\n", m.size(),
                m.front().loss, m.back().loss, static_cast<long long>(m.back().step));
  for (const auto& e : store.evals(r->id))
    std::printf("  after step %-8lld val_loss %.6f\n", static_cast<long long>(e.step), e.val_loss);
  std::printf("reproduce with:\n%s\n", r->command.c_str());
}

const bool registered = lowp::cli::register_command([](CLI::App& root) {
  CLI::App* cmd = root.add_subcommand("runs", "List the runs of a results store");
  auto a = std::make_shared<RunsArgs>();
  cmd->add_option("--db", a->db, "results store")->capture_default_str();
  cmd->add_option("--study", a->study, "only runs of this study");
  cmd->add_option("--status", a->status,
                  "only runs with this status (running, completed, "
                  "diverged, failed, interrupted)");
  CLI::App* show = cmd->add_subcommand("show",
                                       "Print one run in full, ending with the command "
                                       "that reproduces it");
  show->add_option("id", a->id, "run id (first column of `lowp runs`)")->required();
  show->fallthrough();  // --db may follow the id
  show->callback([a] { show_run(*a); });
  cmd->callback([cmd, a] {
    if (cmd->got_subcommand("show")) return;
    list_runs(*a);
  });
});

}  // namespace
