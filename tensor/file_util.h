// Bounded reads and crash-safe writes of whole files, with errors that name the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lowp {

// Bytes to parse, from a file or from memory. A reader asks for the sizes its header declares,
// so a stream that never ends (/dev/zero, a pipe) costs only what the format allows, and memory
// grows with the bytes actually read, not with a size a header claims.
class ByteSource {
 public:
  // Opens `path`; throws lowp::Error naming it when it cannot be opened or is a directory.
  static ByteSource open_file(const std::string& path);
  // Views `size` bytes at `data` (not copied; they must outlive the source).
  ByteSource(const uint8_t* data, size_t size, std::string name);
  ByteSource(ByteSource&& other) noexcept;
  ByteSource& operator=(ByteSource&&) = delete;
  ~ByteSource();

  const std::string& name() const { return name_; }
  // The next n bytes, or fewer when the data ends first; throws on a read error.
  std::vector<uint8_t> read(size_t n);
  // Bytes left when known in advance (memory, regular files), else -1 (pipes, devices).
  int64_t remaining() const;
  // True when no byte is left (reads one byte ahead when the size is not known).
  bool at_end();

 private:
  ByteSource(int fd, int64_t size, std::string name);

  int fd_ = -1;  // -1 for memory
  const uint8_t* data_ = nullptr;
  int64_t size_ = -1;  // -1 when unknown
  int64_t pos_ = 0;
  std::string name_;
};

// Writes `bytes` to `path` so that the file is either the old one or the complete new one, even
// after a crash: a temporary file in the same folder, fsync, rename over the target, fsync of the
// folder. An existing file keeps its permission bits; a new one gets 0666 minus the umask. A
// symbolic link is written through; a device or pipe (/dev/null, /dev/stdout) is written in place.
// Throws lowp::Error naming `path` on any failure and leaves no temporary file behind.
void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes);

// True when both paths name one existing file (same device and inode: another spelling of the
// path, a symbolic or a hard link).
bool same_file(const std::string& a, const std::string& b);

}  // namespace lowp
