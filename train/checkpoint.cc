// Checkpoint files: serialisation, integrity hash, atomic replacement, lookup of the latest.
#include "train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace lowp {
namespace {

using json = nlohmann::json;
constexpr char kMagic[8] = {'L', 'O', 'W', 'P', 'C', 'K', 'P', '1'};

uint64_t fnv1a64(const uint8_t* p, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

template <class T>
void put(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

void put_bytes(std::vector<uint8_t>& out, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
}

// Bounds-checked reader over a verified buffer.
struct Reader {
  const std::vector<uint8_t>& buf;
  size_t pos;
  const std::string& path;
  const uint8_t* take(size_t n) {
    if (n > buf.size() - 8 - pos) fail("checkpoint " + path + " is truncated or corrupt");
    const uint8_t* p = buf.data() + pos;
    pos += n;
    return p;
  }
  template <class T>
  T get() {
    T v;
    std::memcpy(&v, take(sizeof(T)), sizeof(T));
    return v;
  }
};

struct Parsed {
  CheckpointMeta meta;
  std::map<std::string, std::pair<const uint8_t*, uint64_t>> tensors;  // into `bytes`
  std::vector<uint8_t> bytes;
};

void parse(const std::string& path, Parsed& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("checkpoint " + path + ": cannot open it");
  out.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  const auto& b = out.bytes;
  const std::string hint = "; delete it to resume from the checkpoint before it";
  if (b.size() < sizeof kMagic + 8 || std::memcmp(b.data(), kMagic, sizeof kMagic) != 0)
    fail("checkpoint " + path + " is not a lowp checkpoint (bad magic)" + hint);
  uint64_t stored;
  std::memcpy(&stored, b.data() + b.size() - 8, 8);
  if (fnv1a64(b.data(), b.size() - 8) != stored)
    fail("checkpoint " + path + " is corrupt (checksum mismatch)" + hint);
  Reader r{b, sizeof kMagic, path};
  const auto meta_len = r.get<uint64_t>();
  const auto* meta_text = reinterpret_cast<const char*>(r.take(meta_len));
  try {
    const json j = json::parse(meta_text, meta_text + meta_len);
    out.meta.uid = j.at("uid").get<std::string>();
    out.meta.step = j.at("step").get<int64_t>();
    out.meta.config_json = j.at("config").dump();
    out.meta.recipe_json = j.at("recipe").dump();
    out.meta.code_version = j.at("code_version").get<std::string>();
    const json& il = j.at("initial_loss");
    out.meta.initial_loss =
        il.is_null() ? std::numeric_limits<double>::quiet_NaN() : il.get<double>();
  } catch (const json::exception& e) {
    fail("checkpoint " + path + ": unreadable metadata (" + e.what() + ")" + hint);
  }
  const auto count = r.get<uint64_t>();
  for (uint64_t i = 0; i < count; ++i) {
    const auto name_len = r.get<uint32_t>();
    const std::string name(reinterpret_cast<const char*>(r.take(name_len)), name_len);
    const auto n = r.get<uint64_t>();
    if (n > (b.size() - r.pos) / sizeof(float)) fail("checkpoint " + path + " is truncated" + hint);
    out.tensors[name] = {r.take(n * sizeof(float)), n};
  }
  if (r.pos != b.size() - 8) fail("checkpoint " + path + " has trailing bytes" + hint);
}

void restore(const Parsed& p, const std::string& path, const std::string& name, float* dst,
             int64_t size) {
  auto it = p.tensors.find(name);
  if (it == p.tensors.end())
    fail("checkpoint " + path + " has no tensor '" + name +
         "': it was written for another model or optimizer; start a new run or use another --out");
  if (it->second.second != static_cast<uint64_t>(size))
    fail("checkpoint " + path + ": tensor '" + name + "' has " + std::to_string(it->second.second) +
         " elements, the model has " + std::to_string(size));
  std::memcpy(dst, it->second.first, static_cast<size_t>(size) * sizeof(float));
}

void write_all(int fd, const uint8_t* p, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) fail("checkpoint " + path + ": write failed (" + std::strerror(errno) + ")");
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

std::string save_checkpoint(const std::string& dir, const CheckpointMeta& meta,
                            const std::vector<Param>& params,
                            const std::vector<StateTensor>& state) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("--out " + dir + ": cannot create the checkpoint directory (" + ec.message() + ")");
  json m;
  m["format"] = 1;
  m["uid"] = meta.uid;
  m["step"] = meta.step;
  m["config"] = json::parse(meta.config_json);
  m["recipe"] = json::parse(meta.recipe_json);
  m["code_version"] = meta.code_version;
  m["initial_loss"] = std::isfinite(meta.initial_loss) ? json(meta.initial_loss) : json(nullptr);
  const std::string mt = m.dump();

  std::vector<uint8_t> out;
  put_bytes(out, kMagic, sizeof kMagic);
  put(out, static_cast<uint64_t>(mt.size()));
  put_bytes(out, mt.data(), mt.size());
  put(out, static_cast<uint64_t>(params.size() + state.size()));
  auto tensor = [&](const std::string& name, const float* data, int64_t n) {
    put(out, static_cast<uint32_t>(name.size()));
    put_bytes(out, name.data(), name.size());
    put(out, static_cast<uint64_t>(n));
    put_bytes(out, data, static_cast<size_t>(n) * sizeof(float));
  };
  for (const auto& p : params) tensor("param/" + p.name, p.value, p.size);
  for (const auto& s : state) tensor(s.name, s.data, s.size);
  put(out, fnv1a64(out.data(), out.size()));

  const std::string path = dir + "/ckpt-" + std::to_string(meta.step) + ".bin";
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("checkpoint " + tmp + ": cannot create (" + std::strerror(errno) + ")");
  try {
    write_all(fd, out.data(), out.size(), tmp);
    if (::fsync(fd) != 0)
      fail("checkpoint " + tmp + ": fsync failed (" + std::strerror(errno) + ")");
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail("checkpoint " + path + ": rename failed (" + std::strerror(errno) + ")");
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
  return path;
}

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  Parsed p;
  parse(path, p);
  return p.meta;
}

CheckpointMeta load_checkpoint(const std::string& path, std::vector<Param>& params,
                               const std::vector<StateTensor>* state) {
  Parsed p;
  parse(path, p);
  for (auto& prm : params) restore(p, path, "param/" + prm.name, prm.value, prm.size);
  if (state)
    for (const auto& s : *state) restore(p, path, s.name, s.data, s.size);
  return p.meta;
}

std::string latest_checkpoint(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return "";
  int64_t best = -1;
  std::string path;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ckpt-", 0) != 0 || name.size() <= 9 || name.substr(name.size() - 4) != ".bin")
      continue;
    const std::string digits = name.substr(5, name.size() - 9);
    if (digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const int64_t step = std::stoll(digits);
    if (step > best) best = step, path = e.path().string();
  }
  return path;
}

}  // namespace lowp
