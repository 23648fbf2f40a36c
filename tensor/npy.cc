// .npy reader/writer for fp32 arrays (format versions 1.0, 2.0 and 3.0 on read, 1.0 on write).
#include "tensor/npy.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "tensor/quantized.h"
#include "util/error.h"

namespace lowp {
namespace {

// numpy writes headers of a few hundred bytes (and by default refuses to read above 10000).
constexpr size_t kMaxHeader = size_t{1} << 20;
constexpr size_t kMaxDims = 64;  // numpy's NPY_MAXDIMS

const char* const kKeys[3] = {"descr", "fortran_order", "shape"};

// Header text quoted in an error: control bytes escaped (the error stays one line), at most 40.
std::string printable(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    char esc[8];
    std::snprintf(esc, sizeof esc, "\\x%02x", c);
    out += (c >= 0x20 && c < 0x7f) ? std::string(1, s[i]) : std::string(esc);
  }
  return s.size() > 40 ? out + "..." : out;
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// Parses the header's Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }: exactly these three keys, string / True|False / tuple of integer values.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& where) : h_(text), where_(where) {}

  NpyHeader parse() {
    NpyHeader out;
    bool seen[3] = {false, false, false};
    expect('{');
    while (!eat('}')) {
      const std::string key = string_literal("a key");
      expect(':');
      const int k = static_cast<int>(std::find(kKeys, kKeys + 3, key) - kKeys);
      if (k == 3)
        bad("unknown key '" + printable(key) + "' (expected descr, fortran_order, shape)");
      if (seen[k]) bad("key '" + key + "' appears twice");
      seen[k] = true;
      field_ = key;
      if (k == 0) out.descr = string_literal("the descr value");
      if (k == 1) out.fortran_order = boolean();
      if (k == 2) out.shape = shape();
      field_.clear();
      if (!eat(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (p_ != h_.size()) bad("unexpected text after the closing '}'");
    for (int k = 0; k < 3; ++k)
      if (!seen[k]) fail(where_ + ": .npy header has no '" + kKeys[k] + "' entry");
    return out;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(where_ + ": malformed .npy header" + (field_.empty() ? "" : " field '" + field_ + "'") +
         " at byte " + std::to_string(p_) + ": " + what);
  }
  void skip_space() {
    while (p_ < h_.size() && (h_[p_] == ' ' || h_[p_] == '\n' || h_[p_] == '\t')) ++p_;
  }
  bool eat(char c) {
    skip_space();
    if (p_ < h_.size() && h_[p_] == c) return ++p_, true;
    return false;
  }
  void expect(char c) {
    if (!eat(c)) bad(std::string("expected '") + c + "'");
  }
  std::string string_literal(const char* what) {
    skip_space();
    if (p_ >= h_.size() || (h_[p_] != '\'' && h_[p_] != '"'))
      bad(std::string("expected a quoted string as ") + what);
    const char quote = h_[p_];
    const size_t end = h_.find(quote, p_ + 1);
    if (end == std::string::npos) bad("unterminated string");
    std::string s = h_.substr(p_ + 1, end - p_ - 1);
    p_ = end + 1;
    return s;
  }
  bool boolean() {
    skip_space();
    for (const char* word : {"True", "False"})
      if (h_.compare(p_, std::strlen(word), word) == 0) {
        p_ += std::strlen(word);
        return word[0] == 'T';
      }
    bad("expected True or False");
  }
  // A tuple of non-negative integers: (), (n,), (a, b), each checked before any arithmetic.
  std::vector<int64_t> shape() {
    std::vector<int64_t> dims;
    expect('(');
    while (!eat(')')) {
      skip_space();
      const size_t start = p_;
      int64_t d = 0;
      while (p_ < h_.size() && h_[p_] >= '0' && h_[p_] <= '9') {
        const int digit = h_[p_++] - '0';
        if (d > (kMaxElements - digit) / 10)
          fail(where_ + ": .npy header field 'shape': dimension " + std::to_string(dims.size()) +
               " is larger than 2^60 elements; the file is damaged");
        d = d * 10 + digit;
      }
      if (p_ == start) bad("expected a tuple of non-negative integers");
      if (dims.size() == kMaxDims)
        fail(where_ + ": .npy header field 'shape' has more than 64 dimensions");
      dims.push_back(d);
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }

  const std::string& h_;
  const std::string& where_;
  size_t p_ = 0;
  std::string field_;  // the key whose value is being parsed, for errors
};

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";  // Python tuple syntax: (), (n,), (a, b)
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyArray read_npy(ByteSource& src) {
  const std::string& where = src.name();
  const auto magic = src.read(10);
  if (magic.size() < 10 || std::memcmp(magic.data(), "\x93NUMPY", 6) != 0)
    fail(where + ": not a .npy file (missing the \\x93NUMPY magic)");
  const int major = magic[6];
  size_t hlen = magic[8] | (magic[9] << 8);
  if (major == 2 || major == 3) {
    const auto more = src.read(2);
    if (more.size() < 2) fail(where + ": truncated .npy header");
    hlen |= static_cast<size_t>(more[0]) << 16 | static_cast<size_t>(more[1]) << 24;
  } else if (major != 1) {
    fail(where + ": unsupported .npy version " + std::to_string(major) + " (1, 2 or 3 expected)");
  }
  if (hlen > kMaxHeader)
    fail(where + ": .npy header length " + std::to_string(hlen) +
         " is larger than the 1 MiB lowp reads; the file is damaged or not a .npy file");
  const auto text = src.read(hlen);
  if (text.size() < hlen)
    fail(where + ": truncated .npy header (" + std::to_string(text.size()) + " of " +
         std::to_string(hlen) + " bytes)");
  const NpyHeader h = HeaderParser(std::string(text.begin(), text.end()), where).parse();
  if (h.descr != "<f4")
    fail(where + ": dtype '" + printable(h.descr) +
         "' is not supported; save the array as float32 ('<f4'), "
         "e.g. np.save(path, x.astype(np.float32))");
  if (h.fortran_order)
    fail(where + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  const int64_t n = checked_numel(h.shape, where + ": .npy header field 'shape'");
  const size_t need = static_cast<size_t>(n) * 4;
  const std::string sizes = "shape " + shape_text(h.shape) + " needs " + std::to_string(need);
  if (src.remaining() >= 0 && static_cast<size_t>(src.remaining()) != need)
    fail(where + ": data has " + std::to_string(src.remaining()) + " bytes, but " + sizes +
         (static_cast<size_t>(src.remaining()) < need ? " (truncated file?)" : ""));
  const auto bytes = src.read(need);
  if (bytes.size() < need)
    fail(where + ": data has " + std::to_string(bytes.size()) + " bytes, but " + sizes +
         " (truncated file?)");
  if (!src.at_end()) fail(where + ": data is longer than the " + sizes + " bytes");
  NpyArray a;
  a.shape = h.shape;
  a.data.resize(static_cast<size_t>(n));
  if (n > 0) std::memcpy(a.data.data(), bytes.data(), need);
  return a;
}

NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& where) {
  ByteSource src(bytes.data(), bytes.size(), where);
  return read_npy(src);
}

std::vector<uint8_t> serialize_npy(const NpyArray& a) {
  if (a.shape.size() > kMaxDims) fail("cannot write a .npy of more than 64 dimensions");
  if (checked_numel(a.shape, "array to write") != static_cast<int64_t>(a.data.size()))
    fail("array to write has " + std::to_string(a.data.size()) + " values but shape " +
         shape_text(a.shape));
  std::string h =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_text(a.shape) + ", }";
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
  ByteSource src = ByteSource::open_file(path);
  return read_npy(src);
}
void write_npy(const std::string& path, const NpyArray& a) {
  write_file_atomic(path, serialize_npy(a));
}

}  // namespace lowp
