// .npy reader/writer for fp32 arrays (format versions 1.0, 2.0 and 3.0 on read, 1.0 on write).
#include "tensor/npy.h"

#include <cctype>
#include <cstring>

#include "tensor/file_util.h"
#include "util/error.h"

namespace lowp {
namespace {

// Value of `key` in the header dict text, e.g. 'descr': '<f4' -> "'<f4'".
std::string dict_value(const std::string& h, const std::string& key, const std::string& where) {
  const size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) fail(where + ": .npy header has no '" + key + "' entry");
  size_t p = h.find(':', k);
  if (p == std::string::npos) fail(where + ": malformed .npy header near '" + key + "'");
  ++p;
  while (p < h.size() && h[p] == ' ') ++p;
  size_t e = p;
  if (h[p] == '(')
    e = h.find(')', p) + 1;
  else if (h[p] == '\'')
    e = h.find('\'', p + 1) + 1;
  else
    while (e < h.size() && h[e] != ',' && h[e] != '}') ++e;
  if (e == std::string::npos || e > h.size())
    fail(where + ": malformed .npy header near '" + key + "'");
  return h.substr(p, e - p);
}

}  // namespace

NpyArray parse_npy(const std::vector<uint8_t>& b, const std::string& where) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0)
    fail(where + ": not a .npy file (missing the \\x93NUMPY magic)");
  const int major = b[6];
  size_t hlen, start;
  if (major == 1) {
    hlen = b[8] | (b[9] << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail(where + ": truncated .npy header");
    hlen = b[8] | (b[9] << 8) | (static_cast<size_t>(b[10]) << 16) |
           (static_cast<size_t>(b[11]) << 24);
    start = 12;
  } else {
    fail(where + ": unsupported .npy version " + std::to_string(major));
  }
  if (start + hlen > b.size()) fail(where + ": truncated .npy header");
  const std::string h(reinterpret_cast<const char*>(b.data() + start), hlen);
  const std::string descr = dict_value(h, "descr", where);
  if (descr != "'<f4'")
    fail(where + ": dtype " + descr +
         " is not supported; save the array as float32 ('<f4'), "
         "e.g. np.save(path, x.astype(np.float32))");
  if (dict_value(h, "fortran_order", where) != "False")
    fail(where + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  const std::string shape = dict_value(h, "shape", where);
  NpyArray a;
  int64_t n = 1;
  size_t p = 1;
  while (p < shape.size()) {
    while (p < shape.size() && (shape[p] == ' ' || shape[p] == ',')) ++p;
    if (p >= shape.size() || shape[p] == ')') break;
    size_t e = p;
    while (e < shape.size() && std::isdigit(static_cast<unsigned char>(shape[e]))) ++e;
    if (e == p) fail(where + ": malformed shape " + shape + " in .npy header");
    const int64_t d = std::stoll(shape.substr(p, e - p));
    a.shape.push_back(d);
    n *= d;
    p = e;
  }
  const size_t data_start = start + hlen;
  if (b.size() - data_start != static_cast<size_t>(n) * 4)
    fail(where + ": data has " + std::to_string(b.size() - data_start) + " bytes, shape " + shape +
         " needs " + std::to_string(n * 4) + " (truncated file?)");
  a.data.resize(static_cast<size_t>(n));
  if (n > 0) std::memcpy(a.data.data(), b.data() + data_start, static_cast<size_t>(n) * 4);
  return a;
}

std::vector<uint8_t> serialize_npy(const NpyArray& a) {
  std::string shape = "(";  // Python tuple syntax: (), (n,), (a, b)
  for (size_t i = 0; i < a.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(a.shape[i]);
  shape += a.shape.size() == 1 ? ",)" : ")";
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  const uint8_t magic[10] = {0x93,
                             'N',
                             'U',
                             'M',
                             'P',
                             'Y',
                             1,
                             0,
                             static_cast<uint8_t>(h.size()),
                             static_cast<uint8_t>(h.size() >> 8)};
  std::vector<uint8_t> out(10 + h.size() + a.data.size() * 4);
  std::memcpy(out.data(), magic, 10);
  std::memcpy(out.data() + 10, h.data(), h.size());
  if (!a.data.empty()) std::memcpy(out.data() + 10 + h.size(), a.data.data(), a.data.size() * 4);
  return out;
}

NpyArray read_npy(const std::string& path) {
  return parse_npy(read_file_bytes(path), path);
}
void write_npy(const std::string& path, const NpyArray& a) {
  write_file_atomic(path, serialize_npy(a));
}

}  // namespace lowp
