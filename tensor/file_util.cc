// Bounded reads (ByteSource) and crash-safe writes (temp file, fsync, rename, fsync of the folder).
#include "tensor/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "util/error.h"

namespace lowp {
namespace {

std::string why() {
  return std::strerror(errno);
}

// Reads are done in pieces of this size, so memory follows the data actually present.
constexpr size_t kReadPiece = size_t{1} << 20;

}  // namespace

ByteSource::ByteSource(int fd, int64_t size, std::string name)
    : fd_(fd), size_(size), name_(std::move(name)) {}

ByteSource::ByteSource(const uint8_t* data, size_t size, std::string name)
    : data_(data), size_(static_cast<int64_t>(size)), name_(std::move(name)) {}

ByteSource::ByteSource(ByteSource&& o) noexcept
    : fd_(o.fd_), data_(o.data_), size_(o.size_), pos_(o.pos_), name_(std::move(o.name_)) {
  o.fd_ = -1;
}

ByteSource::~ByteSource() {
  if (fd_ >= 0) ::close(fd_);
}

ByteSource ByteSource::open_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open '" + path + "' for reading: " + why());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const std::string reason = why();
    ::close(fd);
    fail("cannot read '" + path + "': " + reason);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    fail("'" + path + "' is a directory; give the path of a file");
  }
  return ByteSource(fd, S_ISREG(st.st_mode) ? static_cast<int64_t>(st.st_size) : -1, path);
}

std::vector<uint8_t> ByteSource::read(size_t n) {
  std::vector<uint8_t> out;
  if (!data_ && fd_ < 0) return out;
  if (size_ >= 0) n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), remaining()));
  if (data_) {
    out.assign(data_ + pos_, data_ + pos_ + n);
    pos_ += static_cast<int64_t>(n);
    return out;
  }
  while (out.size() < n) {
    const size_t have = out.size();
    out.resize(have + std::min(n - have, kReadPiece));
    const ssize_t got = ::read(fd_, out.data() + have, out.size() - have);
    if (got < 0 && errno == EINTR) {
      out.resize(have);
      continue;
    }
    if (got < 0) fail("error while reading '" + name_ + "': " + why());
    out.resize(have + static_cast<size_t>(got));
    pos_ += got;
    if (got == 0) break;
  }
  return out;
}

int64_t ByteSource::remaining() const {
  return size_ < 0 ? -1 : std::max<int64_t>(0, size_ - pos_);
}

bool ByteSource::at_end() {
  return size_ >= 0 ? remaining() == 0 : read(1).empty();
}

namespace {

// Writes all of `bytes` to fd; false (errno set) on failure.
bool write_all(int fd, const std::vector<uint8_t>& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Devices and pipes (/dev/null, /dev/stdout) cannot be replaced by a rename: write them in place.
void write_in_place(const std::string& path, const std::vector<uint8_t>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot write '" + path + "': " + why());
  const bool ok = write_all(fd, bytes);
  const std::string reason = why();
  if (::close(fd) != 0 && ok) fail("cannot write '" + path + "': " + why());
  if (!ok) fail("cannot write '" + path + "': " + reason);
}

std::string parent_dir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string target = path;
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;  // follows symbolic links
  if (exists && S_ISDIR(st.st_mode))
    fail("cannot write '" + path + "': it is a directory; give a file name");
  if (exists && !S_ISREG(st.st_mode)) return write_in_place(path, bytes);
  if (exists) {  // write through a symbolic link instead of replacing it
    char* real = ::realpath(path.c_str(), nullptr);
    if (real) {
      target = real;
      std::free(real);
    }
  }
  const std::string dir = parent_dir(target);
  const std::string base = target.substr(target.find_last_of('/') + 1);
  const std::string unchanged = exists ? "; the existing file is unchanged" : "";
  static std::atomic<unsigned> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    tmp =
        dir + "/." + base + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    // 0666 so that the umask gives a new file its usual mode.
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0)
    fail("cannot write '" + path + "': cannot create a file in '" + dir + "': " + why() +
         " (is the folder there and writable?)" + unchanged);
  // On failure: remove the temporary file and report.
  auto abandon = [&](const std::string& step, int err, bool is_open) {
    if (is_open) ::close(fd);
    ::unlink(tmp.c_str());
    const std::string hint =
        err == ENOSPC || err == EFBIG || err == EDQUOT ? " (disk full or file size limit)" : "";
    fail("cannot write '" + path + "': " + step + ": " + std::strerror(err) + hint + unchanged);
  };
  if (exists && ::fchmod(fd, st.st_mode & 07777) != 0) abandon("keeping its mode", errno, true);
  if (!write_all(fd, bytes)) abandon("writing", errno, true);
  if (::fsync(fd) != 0) abandon("flushing to disk", errno, true);
  if (::close(fd) != 0) abandon("closing", errno, false);
  if (::rename(tmp.c_str(), target.c_str()) != 0) abandon("moving into place", errno, false);
  // The rename itself survives a crash only once the folder is on disk too.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail("wrote '" + path + "' but cannot open its folder to flush it: " + why());
  const bool synced = ::fsync(dfd) == 0 || errno == EINVAL;  // EINVAL: no fsync on this fs
  const std::string reason = why();
  ::close(dfd);
  if (!synced) fail("wrote '" + path + "' but flushing its folder to disk failed: " + reason);
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace lowp
