// SQLite wrapper: every failure becomes a lowp::Error naming the database and the operation.
#include "store/sqlite.h"

#include <sqlite3.h>

#include "util/error.h"

namespace lowp::sql {

Db::Db(const std::string& path, bool read_only) : path_(path) {
  const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    fail("results store " + path + ": cannot open (" + msg + ")" +
         (read_only ? "; pass --db with the file `lowp train` wrote" : ""));
  }
  sqlite3_busy_timeout(db_, 60000);  // concurrent runs of a sweep share one file
}

Db::~Db() {
  sqlite3_close_v2(db_);
}

void Db::fail_sql(std::string_view what) {
  fail("results store " + path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    fail("results store " + path_ + ": " + msg + " (in: " + std::string(sql.substr(0, 80)) + ")");
  }
}

int64_t Db::last_insert_id() {
  return sqlite3_last_insert_rowid(db_);
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &st_, nullptr) !=
      SQLITE_OK)
    db_.fail_sql("preparing '" + std::string(sql.substr(0, 80)) + "'");
}

Stmt::~Stmt() {
  sqlite3_finalize(st_);
}

Stmt& Stmt::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) db_.fail_sql("bind");
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (sqlite3_bind_double(st_, i, v) != SQLITE_OK) db_.fail_sql("bind");
  return *this;
}
Stmt& Stmt::bind(int i, const std::string& v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    db_.fail_sql("bind");
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  if (sqlite3_bind_null(st_, i) != SQLITE_OK) db_.fail_sql("bind");
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail_sql("executing '" + std::string(sqlite3_sql(st_)).substr(0, 80) + "'");
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

bool Stmt::is_null(int col) {
  return sqlite3_column_type(st_, col) == SQLITE_NULL;
}
int64_t Stmt::i64(int col) {
  return sqlite3_column_int64(st_, col);
}
double Stmt::f64(int col) {
  return sqlite3_column_double(st_, col);
}
std::string Stmt::text(int col) {
  const auto* p = sqlite3_column_text(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, col)) : "";
}
std::optional<int64_t> Stmt::opt_i64(int col) {
  return is_null(col) ? std::nullopt : std::optional<int64_t>(i64(col));
}
std::optional<double> Stmt::opt_f64(int col) {
  return is_null(col) ? std::nullopt : std::optional<double>(f64(col));
}
int Stmt::columns() {
  return sqlite3_column_count(st_);
}
std::string Stmt::column_name(int col) {
  return sqlite3_column_name(st_, col);
}
int Stmt::column_type(int col) {
  return sqlite3_column_type(st_, col);
}

Transaction::Transaction(Db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace lowp::sql
