// safetensors (8-byte header length, JSON header, raw little-endian data) for quantized tensors.
#include "tensor/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace lowp {
namespace {

using json = nlohmann::json;

// The safetensors reference implementation refuses larger headers; lowp's are a few hundred bytes.
constexpr uint64_t kMaxHeader = uint64_t{100} << 20;

bool byte_scales(const Format& f) {
  return f.scale == ScaleType::e8m0 || f.scale == ScaleType::ue4m3;
}

Packing packing_by_name(const std::string& s, const std::string& where) {
  for (Packing p : {Packing::bits2, Packing::bits4, Packing::bits6, Packing::bytes1,
                    Packing::bytes2, Packing::bytes4})
    if (s == packing_name(p)) return p;
  fail(where + ": unknown packing '" + s + "' in metadata");
}

// One tensor entry of the header, checked on its own.
struct Entry {
  std::string name, dtype;
  uint64_t begin = 0, end = 0;  // data_offsets, relative to the end of the header
};

// A JSON list of non-negative integers (no fractions, exponents or signs), each <= `max`.
std::vector<uint64_t> unsigned_list(const json& v, uint64_t max, const std::string& what) {
  if (!v.is_array()) fail(what + " must be a list of non-negative integers, got " + v.dump());
  std::vector<uint64_t> out;
  for (const json& x : v) {
    if (!x.is_number_unsigned() || x.get<uint64_t>() > max)
      fail(what + " must be a list of non-negative integers" +
           (max < UINT64_MAX ? " up to 2^60" : "") + ", got " + v.dump());
    out.push_back(x.get<uint64_t>());
  }
  return out;
}

Entry entry_of(const std::string& name, const json& t, const std::string& where) {
  const std::string at = where + ": tensor '" + name + "'";
  if (!t.is_object()) fail(at + " is not a JSON object");
  Entry e;
  e.name = name;
  if (!t.contains("dtype") || !t["dtype"].is_string()) fail(at + " has no string 'dtype'");
  e.dtype = t["dtype"].get<std::string>();
  const uint64_t width = e.dtype == "U8" ? 1 : e.dtype == "F32" ? 4 : 0;
  if (width == 0) fail(at + " has dtype '" + e.dtype + "'; lowp writes U8 and F32 only");
  if (!t.contains("shape")) fail(at + " has no 'shape'");
  uint64_t count = 1;
  for (uint64_t d : unsigned_list(t["shape"], kMaxElements, at + ": 'shape'")) {
    if (d > 0 && count > kMaxElements / d) fail(at + ": 'shape' has more than 2^60 elements");
    count *= d;
  }
  if (!t.contains("data_offsets")) fail(at + " has no 'data_offsets'");
  const auto offs = unsigned_list(t["data_offsets"], UINT64_MAX, at + ": 'data_offsets'");
  if (offs.size() != 2) fail(at + ": 'data_offsets' must be [begin, end]");
  if (offs[0] > offs[1])
    fail(at + ": 'data_offsets' [" + std::to_string(offs[0]) + ", " + std::to_string(offs[1]) +
         "] are out of order (begin after end)");
  e.begin = offs[0];
  e.end = offs[1];
  if (e.end - e.begin != count * width)
    fail(at + ": 'data_offsets' span " + std::to_string(e.end - e.begin) + " bytes, but shape " +
         t["shape"].dump() + " of " + e.dtype + " needs " + std::to_string(count * width));
  return e;
}

// The data regions must tile [0, size) exactly, as the safetensors format requires: no overlap,
// no gap. Returns the size of the data.
uint64_t check_layout(std::vector<Entry> entries, const std::string& where) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  uint64_t end = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < end)
      fail(where + ": tensor '" + e.name + "' (bytes " + std::to_string(e.begin) + ".." +
           std::to_string(e.end) + ") overlaps tensor '" + prev->name + "'");
    if (e.begin > end)
      fail(where + ": " + std::to_string(e.begin - end) + " unused bytes before tensor '" + e.name +
           "' (the data must be covered exactly)");
    end = e.end;
    prev = &e;
  }
  return end;
}

// Little-endian words of `width` bytes.
std::vector<uint32_t> words(const uint8_t* p, size_t count, size_t width) {
  std::vector<uint32_t> out(count);
  for (size_t i = 0; i < count; ++i)
    for (size_t k = 0; k < width; ++k) out[i] |= static_cast<uint32_t>(p[i * width + k]) << (8 * k);
  return out;
}

// The lowp metadata: format, shape (a JSON list inside a string), packing.
void read_metadata(const json& h, const std::string& where, QuantizedTensor& q) {
  const std::string no_lowp = where + ": not a lowp quantized tensor (";
  if (!h.contains("__metadata__") || !h["__metadata__"].is_object())
    fail(no_lowp + "no __metadata__ object)");
  const json& m = h["__metadata__"];
  for (const char* key : {"lowp.format", "lowp.shape", "lowp.packing"})
    if (!m.contains(key) || !m[key].is_string())
      fail(no_lowp + "metadata '" + key + "' missing or not a string)");
  q.format = m["lowp.format"].get<std::string>();
  json shape;
  try {
    shape = json::parse(m["lowp.shape"].get<std::string>());
  } catch (const json::exception&) {
    fail(where + ": metadata 'lowp.shape' is not a JSON list: " + m["lowp.shape"].dump());
  }
  for (uint64_t d : unsigned_list(shape, kMaxElements, where + ": metadata 'lowp.shape'"))
    q.shape.push_back(static_cast<int64_t>(d));
  q.packing = packing_by_name(m["lowp.packing"].get<std::string>(), where);
}

}  // namespace

std::vector<uint8_t> serialize_safetensors(const QuantizedTensor& q) {
  const Format f = parse_format(q.format);
  std::vector<uint8_t> data = q.payload;
  json h;
  h["payload"] = {
      {"dtype", "U8"}, {"shape", {q.payload.size()}}, {"data_offsets", {0, q.payload.size()}}};
  size_t off = data.size();
  if (f.scaled()) {  // even with no scale (an empty tensor), so that the reader finds what it needs
    const size_t width = byte_scales(f) ? 1 : 4;
    for (uint32_t s : q.scales)
      for (size_t k = 0; k < width; ++k) data.push_back(static_cast<uint8_t>(s >> (8 * k)));
    h["scales"] = {{"dtype", width == 1 ? "U8" : "F32"},
                   {"shape", {q.scales.size()}},
                   {"data_offsets", {off, data.size()}}};
    off = data.size();
  }
  if (q.has_tensor_scale) {
    for (int k = 0; k < 4; ++k) data.push_back(static_cast<uint8_t>(q.tensor_scale >> (8 * k)));
    h["tensor_scale"] = {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {off, data.size()}}};
  }
  h["__metadata__"] = {{"lowp.format", q.format},
                       {"lowp.shape", json(q.shape).dump()},
                       {"lowp.packing", packing_name(q.packing)},
                       {"lowp.version", "0.1.0"}};
  std::string text = h.dump();
  while (text.size() % 8) text += ' ';  // keep the data 8-byte aligned
  std::vector<uint8_t> out(8 + text.size() + data.size());
  for (int k = 0; k < 8; ++k)
    out[k] = static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * k));
  std::memcpy(out.data() + 8, text.data(), text.size());
  if (!data.empty()) std::memcpy(out.data() + 8 + text.size(), data.data(), data.size());
  return out;
}

QuantizedTensor read_safetensors(ByteSource& src) {
  const std::string& where = src.name();
  const auto len = src.read(8);
  if (len.size() < 8)
    fail(where + ": not a safetensors file (shorter than its 8-byte header length)");
  uint64_t hlen = 0;
  for (int k = 0; k < 8; ++k) hlen |= static_cast<uint64_t>(len[k]) << (8 * k);
  if (hlen > kMaxHeader || (src.remaining() >= 0 && hlen > static_cast<uint64_t>(src.remaining())))
    fail(where + ": truncated or damaged safetensors file (header of " + std::to_string(hlen) +
         " bytes announced" + (hlen > kMaxHeader ? ", more than the 100 MiB allowed)" : ")"));
  const auto text = src.read(static_cast<size_t>(hlen));
  if (text.size() < hlen) fail(where + ": truncated safetensors header");
  json h;
  try {
    h = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    fail(where + ": malformed safetensors header: " + e.what());
  }
  if (!h.is_object()) fail(where + ": malformed safetensors header: not a JSON object");
  QuantizedTensor q;
  read_metadata(h, where, q);
  Format f;
  try {
    f = parse_format(q.format);
  } catch (const Error& e) {
    fail(where + ": metadata 'lowp.format': " + e.what());
  }
  // The tensors this format stores (name, dtype), each checked, then their layout as a whole.
  std::vector<std::pair<std::string, std::string>> expected = {{"payload", "U8"}};
  if (f.scaled()) expected.push_back({"scales", byte_scales(f) ? "U8" : "F32"});
  if (f.tensor_scale) expected.push_back({"tensor_scale", "F32"});
  std::vector<Entry> entries;
  for (const auto& item : h.items()) {
    const std::string& name = item.key();
    const json& t = item.value();
    if (name == "__metadata__") continue;
    const auto want = std::find_if(expected.begin(), expected.end(),
                                   [&](const auto& e) { return e.first == name; });
    if (want == expected.end())
      fail(where + ": unexpected tensor '" + name + "' for format " + q.format);
    entries.push_back(entry_of(name, t, where));
    if (entries.back().dtype != want->second)
      fail(where + ": tensor '" + name + "' has dtype " + entries.back().dtype + ", but format " +
           q.format + " stores it as " + want->second);
    if (name == "tensor_scale" && entries.back().end - entries.back().begin != 4)
      fail(where + ": tensor 'tensor_scale' must hold one F32 value");
  }
  for (const auto& e : expected)
    if (!h.contains(e.first)) fail(where + ": tensor '" + e.first + "' missing");
  const uint64_t size = check_layout(entries, where);
  const auto& last = *std::max_element(
      entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.end < b.end; });
  if (src.remaining() >= 0 && size != static_cast<uint64_t>(src.remaining()))
    fail(where + ": " +
         (size > static_cast<uint64_t>(src.remaining())
              ? "tensor '" + last.name + "' ends at data byte " + std::to_string(size) +
                    ", outside the file (" + std::to_string(src.remaining()) +
                    " data bytes; truncated?)"
              : std::to_string(static_cast<uint64_t>(src.remaining()) - size) +
                    " unused bytes after the last tensor"));
  const auto data = src.read(static_cast<size_t>(size));
  if (data.size() < size)
    fail(where + ": tensor '" + last.name + "' lies outside the file (truncated?)");
  if (!src.at_end()) fail(where + ": data goes on after the last tensor '" + last.name + "'");
  for (const Entry& e : entries) {
    const uint8_t* p = data.data() + e.begin;
    const size_t n = static_cast<size_t>(e.end - e.begin);
    if (e.name == "payload") q.payload.assign(p, p + n);
    if (e.name == "scales")
      q.scales = words(p, n / (e.dtype == "U8" ? 1 : 4), e.dtype == "U8" ? 1 : 4);
    if (e.name == "tensor_scale") q.tensor_scale = words(p, 1, 4)[0];
  }
  q.has_tensor_scale = f.tensor_scale;
  validate(q, where);
  return q;
}

QuantizedTensor parse_safetensors(const std::vector<uint8_t>& bytes, const std::string& where) {
  ByteSource src(bytes.data(), bytes.size(), where);
  return read_safetensors(src);
}

void write_safetensors(const std::string& path, const QuantizedTensor& q) {
  write_file_atomic(path, serialize_safetensors(q));
}

QuantizedTensor read_safetensors(const std::string& path) {
  ByteSource src = ByteSource::open_file(path);
  return read_safetensors(src);
}

}  // namespace lowp
