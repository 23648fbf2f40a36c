// A thin RAII layer over SQLite: a connection, prepared statements and IMMEDIATE transactions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace lowp::sql {

class Db {
 public:
  // Opens (read_only: never creates) the database at `path`; errors name the path.
  Db(const std::string& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);  // one or more statements, no results
  int64_t last_insert_id();
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail_sql(std::string_view what);  // throws lowp::Error with SQLite's message

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Bind by 1-based position; nullopt binds NULL.
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::string& v);
  Stmt& bind_null(int i);
  template <class T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  bool step();  // true while a row is available
  void run();   // step() to completion, then reset() for reuse
  void reset();

  bool is_null(int col);
  int64_t i64(int col);
  double f64(int col);
  std::string text(int col);
  std::optional<int64_t> opt_i64(int col);
  std::optional<double> opt_f64(int col);
  int columns();
  std::string column_name(int col);
  int column_type(int col);  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL, ...

 private:
  Db& db_;
  sqlite3_stmt* st_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran. Everything a
// transaction writes becomes visible at once or not at all (also across a crash).
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace lowp::sql
