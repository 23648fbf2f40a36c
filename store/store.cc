// Results store: schema, transactional writes and the queries `lowp runs` needs.
#include "store/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "store/sqlite.h"
#include "util/error.h"

namespace lowp {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ','now')";

// Columns added to `runs` after schema version 1, oldest first: version 1 + i has the first i.
// Opening a store for writing adds the missing ones (a read-only open reads their defaults),
// so extending the schema by a column is a row here plus its place in kRunColumns and RunRow.
struct AddedColumn {
  const char* name;
  const char* decl;           // type and constraints for ALTER TABLE ... ADD COLUMN
  const char* default_value;  // SQL literal that stands in for it in an older store
};
constexpr AddedColumn kAddedRunColumns[] = {
    // Which process `pid` was (its boot and start time): a pid is reused after its process ends.
    {"pid_started", "TEXT NOT NULL DEFAULT ''", "''"},
    // The GEMM path the run used and what the machine offered (nn::gemm_use), set at its end.
    {"gemm", "TEXT NOT NULL DEFAULT ''", "''"},
};
constexpr int64_t kSchemaVersion = 1 + static_cast<int64_t>(std::size(kAddedRunColumns));

// Run bookkeeping columns in RunRow order ("study" is the study's name); config columns may
// not reuse these names.
constexpr const char* kRunColumns[] = {
    "id",           "uid",          "study",   "status",     "reason",      "created",
    "updated",      "code_version", "command", "host",       "recipe_name", "recipe_json",
    "config_json",  "steps_done",   "resumes", "num_params", "pid",         "final_val_loss",
    "tokens_per_s", "pid_started",  "gemm"};

// Schema version 1; later versions add kAddedRunColumns.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS studies(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  study_id INTEGER NOT NULL REFERENCES studies(id),
  status TEXT NOT NULL CHECK(status IN ('running','completed','diverged','failed','interrupted')),
  reason TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, updated TEXT NOT NULL,
  code_version TEXT NOT NULL, command TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
  recipe_name TEXT NOT NULL, recipe_json TEXT NOT NULL, config_json TEXT NOT NULL,
  num_params INTEGER NOT NULL,
  steps_done INTEGER NOT NULL DEFAULT 0, resumes INTEGER NOT NULL DEFAULT 0,
  final_val_loss REAL, tokens_per_s REAL);
CREATE INDEX IF NOT EXISTS runs_study ON runs(study_id);
CREATE TABLE IF NOT EXISTS config_columns(name TEXT PRIMARY KEY, type TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run_formats(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  layer TEXT NOT NULL, slot TEXT NOT NULL, format TEXT NOT NULL, PRIMARY KEY(run_id, seq))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL,
  loss REAL, lr REAL, grad_norm REAL, tokens_per_s REAL, PRIMARY KEY(run_id, step)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evals(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL,
  val_loss REAL, PRIMARY KEY(run_id, step)) WITHOUT ROWID;
)";

const char* sql_type(const ColumnValue& v) {
  if (std::holds_alternative<int64_t>(v)) return "INTEGER";
  if (std::holds_alternative<double>(v)) return "REAL";
  return "TEXT";
}

void bind_value(sql::Stmt& s, int i, const ColumnValue& v) {
  if (const auto* x = std::get_if<int64_t>(&v))
    s.bind(i, *x);
  else if (const auto* d = std::get_if<double>(&v))
    s.bind(i, *d);
  else if (const auto* t = std::get_if<std::string>(&v))
    s.bind(i, *t);
  else
    s.bind_null(i);
}

std::string hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Identifies one process instance of `pid` on this host: the boot id and the process's start
// time in clock ticks since boot (Linux /proc). "" where /proc does not tell.
std::string process_start(int64_t pid) {
  const std::string boot = first_line("/proc/sys/kernel/random/boot_id");
  const std::string stat = first_line("/proc/" + std::to_string(pid) + "/stat");
  // Fields after the command name, which is in parentheses and may hold spaces: state is the
  // 3rd field of the line, starttime the 22nd.
  const size_t close = stat.rfind(')');
  if (boot.empty() || close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return boot + "/" + field;
  return "";
}

// A row left `running` by a process that is gone: killed (SIGKILL, OOM, power) before it could
// record how the run ended. Decidable only on the host that ran it.
bool writer_gone(const std::string& status, const std::string& host, int64_t pid,
                 const std::string& pid_started) {
  if (status != "running" || pid <= 0 || host != hostname()) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
  const std::string now = process_start(pid);  // the pid lives: the same process, or a reuse?
  return !pid_started.empty() && !now.empty() && now != pid_started;
}

std::string gone_reason(int64_t pid, const std::string& host) {
  return "process " + std::to_string(pid) + " on " + host +
         " ended without recording how the run ended (killed?)";
}

RunRow read_run(sql::Stmt& s) {
  RunRow r;
  r.id = s.i64(0), r.uid = s.text(1), r.study = s.text(2), r.status = s.text(3);
  r.reason = s.text(4), r.created = s.text(5), r.updated = s.text(6), r.code_version = s.text(7);
  r.command = s.text(8), r.host = s.text(9), r.recipe_name = s.text(10);
  r.recipe_json = s.text(11), r.config_json = s.text(12), r.steps_done = s.i64(13);
  r.resumes = s.i64(14), r.num_params = s.i64(15), r.pid = s.i64(16);
  r.final_val_loss = s.opt_f64(17), r.tokens_per_s = s.opt_f64(18), r.pid_started = s.text(19);
  r.gemm = s.text(20);
  if (writer_gone(r.status, r.host, r.pid, r.pid_started))
    r.status = "interrupted", r.reason = gone_reason(r.pid, r.host);
  return r;
}

// The run columns of a store of schema `version` (columns it lacks read as their defaults).
std::string run_select(int64_t version) {
  std::string out;
  for (const char* c : kRunColumns) {
    std::string col = c == std::string("study") ? "s.name" : "r." + std::string(c);
    for (size_t i = static_cast<size_t>(version) - 1; i < std::size(kAddedRunColumns); ++i)
      if (c == std::string(kAddedRunColumns[i].name))
        col = std::string(kAddedRunColumns[i].default_value) + " AS " + c;
    out += (out.empty() ? "" : ", ") + col;
  }
  return "SELECT " + out + " FROM runs r JOIN studies s ON s.id = r.study_id";
}

bool valid_column_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name)
    if (!std::islower(static_cast<unsigned char>(ch)) &&
        !std::isdigit(static_cast<unsigned char>(ch)) && ch != '_')
      return false;
  if (name == "study_id") return false;
  for (const char* c : kRunColumns)
    if (name == c) return false;
  return true;
}

}  // namespace

Store::Store(const std::string& path, bool read_only)
    : db_(std::make_unique<sql::Db>(path, read_only)) {
  if (read_only) {
    version_ = schema_version();
    if (version_ < 1) fail("results store " + path + " is not a lowp results store (no schema)");
    return;
  }
  db_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON");
  sql::Transaction t(*db_);  // the version is read inside: two openers do not both upgrade
  version_ = schema_version();
  db_->exec(kSchema);
  for (int64_t v = std::max<int64_t>(version_, 1); v < kSchemaVersion; ++v) {
    const AddedColumn& c = kAddedRunColumns[v - 1];
    db_->exec(std::string("ALTER TABLE runs ADD COLUMN ") + c.name + " " + c.decl);
  }
  version_ = kSchemaVersion;
  db_->exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  mark_gone_runs();
  t.commit();
}

int64_t Store::schema_version() {
  sql::Stmt v(*db_, "PRAGMA user_version");
  v.step();
  const int64_t version = v.i64(0);
  if (version > kSchemaVersion)
    fail("results store " + db_->path() + " has schema version " + std::to_string(version) +
         ", newer than this lowp understands (" + std::to_string(kSchemaVersion) +
         "); use a newer lowp or another --db");
  return version;
}

// Records as interrupted the runs of this host whose process is gone (inside the caller's
// transaction, so a run resumed meanwhile is not caught).
void Store::mark_gone_runs() {
  sql::Stmt q(*db_, "SELECT id, pid, pid_started FROM runs WHERE status = 'running' AND host = ?");
  q.bind(1, hostname());
  std::vector<std::pair<int64_t, int64_t>> gone;
  while (q.step())
    if (writer_gone("running", hostname(), q.i64(1), q.text(2)))
      gone.emplace_back(q.i64(0), q.i64(1));
  for (const auto& [id, pid] : gone)
    sql::Stmt(*db_, std::string("UPDATE runs SET status='interrupted', reason=?, updated=") + kNow +
                        " WHERE id=?")
        .bind(1, gone_reason(pid, hostname()))
        .bind(2, id)
        .run();
}

Store::~Store() = default;

const std::string& Store::path() const {
  return db_->path();
}

// Adds missing config columns to `runs` (inside the caller's transaction).
void Store::ensure_columns(const std::vector<Column>& cols) {
  for (const auto& c : cols) {
    if (!valid_column_name(c.name))
      fail("results store: config column '" + c.name + "' is not a valid new column name");
    sql::Stmt q(*db_, "SELECT type FROM config_columns WHERE name = ?");
    q.bind(1, c.name);
    if (q.step()) continue;
    db_->exec("ALTER TABLE runs ADD COLUMN \"" + c.name + "\" " + sql_type(c.value));
    sql::Stmt ins(*db_, "INSERT INTO config_columns(name, type) VALUES (?, ?)");
    ins.bind(1, c.name).bind(2, std::string(sql_type(c.value))).run();
  }
}

int64_t Store::begin_run(const RunRecord& r, int64_t resume_step) {
  sql::Transaction t(*db_);
  ensure_columns(r.config);
  sql::Stmt(*db_,
            std::string("INSERT OR IGNORE INTO studies(name, created) VALUES (?, ") + kNow + ")")
      .bind(1, r.study)
      .run();
  sql::Stmt find(*db_, "SELECT id FROM runs WHERE uid = ?");
  find.bind(1, r.uid);
  int64_t id = 0;
  if (find.step()) {
    id = find.i64(0);
    sql::Stmt(*db_, std::string("UPDATE runs SET status='running', reason='', resumes=resumes+1, "
                                "steps_done=?, pid=?, host=?, pid_started=?, "
                                "final_val_loss=NULL, tokens_per_s=NULL, updated=") +
                        kNow + " WHERE id=?")
        .bind(1, resume_step)
        .bind(2, static_cast<int64_t>(getpid()))
        .bind(3, hostname())
        .bind(4, process_start(getpid()))
        .bind(5, id)
        .run();
    // Metric `step` is a step's index; eval `step` counts the steps before it.
    sql::Stmt(*db_, "DELETE FROM metrics WHERE run_id=? AND step>=?")
        .bind(1, id)
        .bind(2, resume_step)
        .run();
    sql::Stmt(*db_, "DELETE FROM evals WHERE run_id=? AND step>?")
        .bind(1, id)
        .bind(2, resume_step)
        .run();
  } else {
    std::string names, marks;
    for (const auto& c : r.config) names += ", \"" + c.name + "\"", marks += ", ?";
    sql::Stmt ins(*db_,
                  "INSERT INTO runs(uid, study_id, status, created, updated, code_version, "
                  "command, host, pid, pid_started, recipe_name, recipe_json, config_json, "
                  "num_params, steps_done" +
                      names +
                      ") VALUES (?, (SELECT id FROM studies WHERE name=?), "
                      "'running', " +
                      kNow + ", " + kNow + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?" + marks + ")");
    ins.bind(1, r.uid).bind(2, r.study).bind(3, r.code_version).bind(4, r.command);
    ins.bind(5, hostname()).bind(6, static_cast<int64_t>(getpid()));
    ins.bind(7, process_start(getpid())).bind(8, r.recipe_name).bind(9, r.recipe_json);
    ins.bind(10, r.config_json).bind(11, r.num_params).bind(12, resume_step);
    for (size_t i = 0; i < r.config.size(); ++i)
      bind_value(ins, 13 + static_cast<int>(i), r.config[i].value);
    ins.run();
    id = db_->last_insert_id();
    sql::Stmt f(*db_,
                "INSERT INTO run_formats(run_id, seq, layer, slot, format) VALUES (?,?,?,?,?)");
    for (size_t i = 0; i < r.formats.size(); ++i)
      f.bind(1, id)
          .bind(2, static_cast<int64_t>(i))
          .bind(3, r.formats[i].layer)
          .bind(4, r.formats[i].slot)
          .bind(5, r.formats[i].format)
          .run();
  }
  t.commit();
  return id;
}

void Store::record(int64_t run, const std::vector<StepMetric>& steps,
                   const std::vector<EvalMetric>& evals, int64_t steps_done) {
  sql::Transaction t(*db_);
  sql::Stmt m(*db_,
              "INSERT OR REPLACE INTO metrics(run_id, step, loss, lr, grad_norm, tokens_per_s) "
              "VALUES (?,?,?,?,?,?)");
  for (const auto& x : steps)
    m.bind(1, run)
        .bind(2, x.step)
        .bind(3, x.loss)
        .bind(4, x.lr)
        .bind(5, x.grad_norm)
        .bind(6, x.tokens_per_s)
        .run();
  sql::Stmt e(*db_, "INSERT OR REPLACE INTO evals(run_id, step, val_loss) VALUES (?,?,?)");
  for (const auto& x : evals) e.bind(1, run).bind(2, x.step).bind(3, x.val_loss).run();
  sql::Stmt(*db_, std::string("UPDATE runs SET steps_done=?, updated=") + kNow + " WHERE id=?")
      .bind(1, steps_done)
      .bind(2, run)
      .run();
  t.commit();
}

void Store::finish(int64_t run, const std::string& status, const std::string& reason,
                   std::optional<double> final_val_loss, std::optional<double> tokens_per_s,
                   const std::string& gemm) {
  sql::Transaction t(*db_);
  sql::Stmt(*db_, std::string("UPDATE runs SET status=?, reason=?, final_val_loss=?, "
                              "tokens_per_s=?, gemm=?, updated=") +
                      kNow + " WHERE id=?")
      .bind(1, status)
      .bind(2, reason)
      .bind(3, final_val_loss)
      .bind(4, tokens_per_s)
      .bind(5, gemm)
      .bind(6, run)
      .run();
  t.commit();
}

std::vector<RunRow> Store::runs(const std::string& study, const std::string& status) {
  // The status filter runs on the rows as read: a `running` row may read as interrupted.
  sql::Stmt s(*db_, run_select(version_) + " WHERE (?1 = '' OR s.name = ?1) ORDER BY r.id");
  s.bind(1, study);
  std::vector<RunRow> out;
  while (s.step()) {
    RunRow r = read_run(s);
    if (status.empty() || r.status == status) out.push_back(std::move(r));
  }
  return out;
}

std::optional<RunRow> Store::run(int64_t id) {
  sql::Stmt s(*db_, run_select(version_) + " WHERE r.id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::vector<StepMetric> Store::metrics(int64_t run) {
  sql::Stmt s(*db_,
              "SELECT step, loss, lr, grad_norm, tokens_per_s FROM metrics WHERE run_id=? "
              "ORDER BY step");
  s.bind(1, run);
  std::vector<StepMetric> out;
  // NaN is stored as NULL by SQLite; read it back as NaN.
  auto num = [&](int c) { return s.opt_f64(c).value_or(std::numeric_limits<double>::quiet_NaN()); };
  while (s.step()) out.push_back({s.i64(0), num(1), num(2), num(3), num(4)});
  return out;
}

std::vector<EvalMetric> Store::evals(int64_t run) {
  sql::Stmt s(*db_, "SELECT step, val_loss FROM evals WHERE run_id=? ORDER BY step");
  s.bind(1, run);
  std::vector<EvalMetric> out;
  while (s.step())
    out.push_back({s.i64(0), s.opt_f64(1).value_or(std::numeric_limits<double>::quiet_NaN())});
  return out;
}

std::vector<SlotFormat> Store::formats(int64_t run) {
  sql::Stmt s(*db_, "SELECT layer, slot, format FROM run_formats WHERE run_id=? ORDER BY seq");
  s.bind(1, run);
  std::vector<SlotFormat> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2)});
  return out;
}

std::vector<Column> Store::config_columns(int64_t run) {
  std::vector<std::string> names;
  sql::Stmt n(*db_, "SELECT name FROM config_columns ORDER BY rowid");
  while (n.step()) names.push_back(n.text(0));
  std::vector<Column> out;
  if (names.empty()) return out;
  std::string cols;
  for (const auto& c : names) cols += (cols.empty() ? "\"" : ", \"") + c + "\"";
  sql::Stmt s(*db_, "SELECT " + cols + " FROM runs WHERE id = ?");
  s.bind(1, run);
  if (!s.step()) return out;
  for (int i = 0; i < static_cast<int>(names.size()); ++i) {
    ColumnValue v;
    if (s.is_null(i))
      v = std::monostate{};
    else if (s.column_type(i) == SQLITE_INTEGER)
      v = s.i64(i);
    else if (s.column_type(i) == SQLITE_FLOAT)
      v = s.f64(i);
    else
      v = s.text(i);
    out.push_back({names[i], v});
  }
  return out;
}

}  // namespace lowp
