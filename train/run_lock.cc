// RunLock: flock(2) on a file in the checkpoint directory. The kernel drops the lock when the
// holder exits, however it ends (SIGKILL too), so a stale file never blocks a later run.
#include "train/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "util/error.h"
#include "util/file.h"

namespace lowp {
namespace {

std::string this_host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// The holder's "key value" lines; empty if it has not written them yet.
std::map<std::string, std::string> read_holder(const std::string& path) {
  std::string why;
  std::map<std::string, std::string> kv;
  std::istringstream in(read_file(path, why).value_or(""));
  for (std::string line; std::getline(in, line);) {
    const size_t sp = line.find(' ');
    if (sp != std::string::npos) kv.emplace(line.substr(0, sp), line.substr(sp + 1));
  }
  return kv;
}

std::string describe_holder(const std::map<std::string, std::string>& kv) {
  if (!kv.count("pid") || !kv.count("host")) return "it has just started";
  const std::string run =
      kv.count("run") && kv.count("db") ? "run " + kv.at("run") + " in " + kv.at("db") + ", " : "";
  return run + "pid " + kv.at("pid") + " on host " + kv.at("host");
}

}  // namespace

RunLock::RunLock(const std::string& dir) : path_(dir + "/" + kFileName) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("--out " + dir + ": cannot create the checkpoint directory (" + ec.message() + ")");
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    fail("--out " + dir + ": cannot create the lock file " + path_ + " (" + std::strerror(errno) +
         ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK)
      fail("--out " + dir + ": cannot lock " + path_ + " (" + std::strerror(err) +
           "); use a checkpoint directory on a file system with file locks");
    fail("--out " + dir + " is in use by another run (" + describe_holder(read_holder(path_)) +
         "); two runs on one directory would overwrite each other's checkpoints. Wait for it "
         "to end (or stop it), then --resume; or choose another --out");
  }
  holder_ = "host " + this_host() + "\npid " + std::to_string(::getpid()) + "\n";
  write_holder(holder_);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

void RunLock::set_run(int64_t run_id, const std::string& db) {
  write_holder(holder_ + "run " + std::to_string(run_id) + "\ndb " + db + "\n");
}

// Best effort: the lock itself is the flock; the text only names the holder in errors. Written
// over the old text, then cut to length, so a reader never finds the file empty (and
// read_holder keeps the first of repeated keys).
void RunLock::write_holder(const std::string& text) {
  if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) return;
  [[maybe_unused]] const int r = ::ftruncate(fd_, static_cast<off_t>(text.size()));
}

}  // namespace lowp
