// The results store: one SQLite file holding studies, runs (with queryable config columns and
// the full config as JSON), per-slot formats, per-step metrics and evaluations.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lowp {

namespace sql {
class Db;
}

// A config column value: INTEGER, REAL or TEXT (NULL for monostate).
using ColumnValue = std::variant<std::monostate, int64_t, double, std::string>;
struct Column {
  std::string name;  // [a-z_][a-z0-9_]*; becomes a column of `runs`
  ColumnValue value;
};

// A format of the run's recipe: layer "" is the slot default, else an override pattern
// (in order: the last matching override wins).
struct SlotFormat {
  std::string layer, slot, format;
};

// What a run writes when it starts.
struct RunRecord {
  std::string uid;  // unique per run; checkpoints carry it, so a resume finds its row
  std::string study = "default";
  std::string command;  // the one-line command that reproduces the run
  std::string code_version;
  std::string config_json;
  std::string recipe_name, recipe_json;
  std::vector<Column> config;  // queryable columns; new names add columns to `runs`
  std::vector<SlotFormat> formats;
  int64_t num_params = 0;
};

struct StepMetric {
  int64_t step;
  double loss, lr, grad_norm, tokens_per_s;
};
struct EvalMetric {
  int64_t step;
  double val_loss;
};

// Run statuses (a frozen contract, like slot names).
inline constexpr const char* kStatuses[] = {"running", "completed", "diverged", "failed",
                                            "interrupted"};

struct RunRow {
  int64_t id = 0;
  // status and reason as read: a `running` row whose process is gone from this host (killed
  // before it could record an end) reads as interrupted.
  std::string uid, study, status, reason, created, updated, code_version, command, host;
  std::string recipe_name, recipe_json, config_json;
  int64_t steps_done = 0, resumes = 0, num_params = 0, pid = 0;
  std::string pid_started;  // identifies the process `pid` was (boot id / start time); may be ""
  std::string gemm;         // the GEMM path the run used (nn::gemm_use); "" before it ended
  std::optional<double> final_val_loss, tokens_per_s;
};

class Store {
 public:
  // Opens or creates `path` (read_only: must exist, never written). Creates or upgrades the
  // schema, and records as interrupted the runs of this host left `running` by a process that
  // is gone; WAL journal, so readers never block the writer and a crash loses no commit.
  Store(const std::string& path, bool read_only = false);
  ~Store();

  // Inserts the run (status running) and returns its id. If a run with this uid exists (a
  // resume from step `resume_step`), marks it running again, counts the resume, and drops
  // the metrics of steps >= resume_step and the evaluations after it: they will be recomputed.
  // One transaction.
  int64_t begin_run(const RunRecord& r, int64_t resume_step = 0);
  // Appends metrics and evaluations and sets steps_done, in one transaction.
  void record(int64_t run, const std::vector<StepMetric>& steps,
              const std::vector<EvalMetric>& evals, int64_t steps_done);
  // Final status (one of kStatuses) with its reason and the GEMM path the run used, in one
  // transaction.
  void finish(int64_t run, const std::string& status, const std::string& reason,
              std::optional<double> final_val_loss, std::optional<double> tokens_per_s,
              const std::string& gemm);

  std::vector<RunRow> runs(const std::string& study = "", const std::string& status = "");
  std::optional<RunRow> run(int64_t id);
  std::vector<StepMetric> metrics(int64_t run);
  std::vector<EvalMetric> evals(int64_t run);
  std::vector<SlotFormat> formats(int64_t run);
  // The run's config columns (the columns of `runs` that RunRecord::config created).
  std::vector<Column> config_columns(int64_t run);
  const std::string& path() const;

 private:
  int64_t schema_version();
  void mark_gone_runs();
  void ensure_columns(const std::vector<Column>& cols);
  std::unique_ptr<sql::Db> db_;
  int64_t version_ = 0;  // the schema version of the file
};

}  // namespace lowp
