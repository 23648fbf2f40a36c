// Runs whose process is gone (SIGKILL, crash) do not stay `running`: they read as interrupted,
// and a writing open records it; live runs, runs of other hosts and reused pids are told apart.
// Also the schema upgrade of stores written before the process identity was recorded.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"
#include "tests/store/fixture.h"

namespace lowp {
namespace {

using test::fresh_db;
RunRecord record(const std::string& uid) {
  return test::minimal_record(uid);
}

// The first column of the first row of `sql`, as text, read past lowp (no upgrade, no rules).
std::string raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  std::string out = "(error)";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    const int rc = sqlite3_step(st);
    out = rc == SQLITE_ROW    ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0))
          : rc == SQLITE_DONE ? ""
                              : "(error)";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// A child process begins a run and dies without finishing it; returns its pid.
pid_t run_and_die(const std::string& path, const std::string& uid) {
  const pid_t pid = fork();
  if (pid == 0) {
    Store st(path);
    st.begin_run(record(uid));
    raise(SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  return pid;
}

std::string host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

TEST(StoreLiveness, RunOfAKilledProcessReadsAsInterrupted) {
  const std::string path = fresh_db("killed.db");
  const pid_t pid = run_and_die(path, "dead");
  {
    Store ro(path, true);
    const RunRow r = ro.runs().at(0);
    EXPECT_EQ(r.status, "interrupted");
    EXPECT_EQ(r.reason, "process " + std::to_string(pid) + " on " + host() +
                            " ended without recording how the run ended (killed?)");
    EXPECT_EQ(r.pid, pid);
    EXPECT_EQ(r.host, host());
    EXPECT_EQ(ro.runs("", "interrupted").size(), 1u);  // filters see the status as read
    EXPECT_TRUE(ro.runs("", "running").empty());
    EXPECT_EQ(ro.run(r.id)->status, "interrupted");
  }
  EXPECT_EQ(raw(path, "SELECT status FROM runs"), "running");  // a read-only open wrote nothing
  { Store rw(path); }
  EXPECT_EQ(raw(path, "SELECT status FROM runs"), "interrupted");  // a writing open records it
  EXPECT_EQ(raw(path, "SELECT reason FROM runs").find("process " + std::to_string(pid)), 0u);
}

TEST(StoreLiveness, LiveRunsForeignHostsAndReusedPidsAreToldApart) {
  const std::string path = fresh_db("told_apart.db");
  Store st(path);
  const int64_t mine = st.begin_run(record("mine"));  // this process: alive
  const int64_t far = st.begin_run(record("far"));
  const int64_t reused = st.begin_run(record("reused"));
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  // Another host's process cannot be checked from here; a live pid that belongs to another
  // process than the run's (the run's pid reused) is the run's death.
  const std::string sql =
      "UPDATE runs SET host = 'elsewhere.invalid' WHERE id = " + std::to_string(far) +
      "; UPDATE runs SET pid_started = 'x/1' WHERE id = " + std::to_string(reused);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE(raw(path, "SELECT pid_started FROM runs WHERE id = " + std::to_string(mine))
                   .empty());  // Linux /proc tells the process's start
  Store again(path);
  EXPECT_EQ(again.run(mine)->status, "running");
  EXPECT_EQ(again.run(far)->status, "running");
  EXPECT_EQ(again.run(reused)->status, "interrupted");
  // A resumed run is running again, under its new process.
  EXPECT_EQ(again.begin_run(record("reused"), 0), reused);
  EXPECT_EQ(again.run(reused)->status, "running");
  EXPECT_EQ(Store(path).run(reused)->status, "running");
}

// A store of schema version 1 (before pid_started): read as it is, upgraded by a writer.
TEST(StoreLiveness, UpgradesAVersion1Store) {
  const std::string path = fresh_db("v1.db");
  run_and_die(path, "old");
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE runs SET status = 'running', reason = '';"
                           "ALTER TABLE runs DROP COLUMN pid_started;"
                           "ALTER TABLE runs DROP COLUMN gemm; PRAGMA user_version = 1",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  ASSERT_EQ(raw(path, "SELECT pid_started FROM runs"), "(error)");  // a true version 1 store
  {
    Store ro(path, true);
    const RunRow r = ro.runs().at(0);
    EXPECT_EQ(r.pid_started, "");
    EXPECT_EQ(r.status, "interrupted");  // the pid alone says the process is gone
  }
  EXPECT_EQ(raw(path, "PRAGMA user_version"), "1");
  Store rw(path);
  EXPECT_EQ(raw(path, "PRAGMA user_version"), "3");
  EXPECT_EQ(raw(path, "SELECT pid_started FROM runs"), "");
  EXPECT_EQ(raw(path, "SELECT gemm FROM runs"), "");
  EXPECT_EQ(rw.runs().at(0).status, "interrupted");
  const int64_t id = rw.begin_run(record("new"));
  EXPECT_FALSE(rw.run(id)->pid_started.empty());
  EXPECT_EQ(rw.run(id)->status, "running");
}

}  // namespace
}  // namespace lowp
