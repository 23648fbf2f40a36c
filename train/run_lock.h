// Ownership of a checkpoint directory for the length of a run: two runs on one --out would
// overwrite each other's checkpoints, so the second is refused with the name of the first.
#pragma once

#include <cstdint>
#include <string>

namespace lowp {

class RunLock {
 public:
  // Creates `dir` if needed and takes an exclusive flock on <dir>/lowp.lock, recording this
  // process (host, pid) in it. If another process holds it, throws lowp::Error naming that run
  // (host, pid, and its results-store run once recorded) and what to do instead.
  explicit RunLock(const std::string& dir);
  ~RunLock();  // releases the lock; the file stays (removing it would race with a newcomer)
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // Adds the run's results-store id to the lock file, so a refused run can name it.
  void set_run(int64_t run_id, const std::string& db);

  static constexpr const char* kFileName = "lowp.lock";

 private:
  void write_holder(const std::string& text);
  int fd_ = -1;
  std::string path_, holder_;
};

}  // namespace lowp
