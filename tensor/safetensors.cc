// safetensors (8-byte header length, JSON header, raw little-endian data) for quantized tensors.
#include "tensor/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "tensor/file_util.h"
#include "util/error.h"

namespace lowp {
namespace {

using json = nlohmann::json;

bool byte_scales(const Format& f) {
  return f.scale == ScaleType::e8m0 || f.scale == ScaleType::ue4m3;
}

Packing packing_by_name(const std::string& s, const std::string& where) {
  for (Packing p : {Packing::bits2, Packing::bits4, Packing::bits6, Packing::bytes1,
                    Packing::bytes2, Packing::bytes4})
    if (s == packing_name(p)) return p;
  fail(where + ": unknown packing '" + s + "' in metadata");
}

}  // namespace

std::vector<uint8_t> serialize_safetensors(const QuantizedTensor& q) {
  const Format f = parse_format(q.format);
  std::vector<uint8_t> data = q.payload;
  json h;
  h["payload"] = {
      {"dtype", "U8"}, {"shape", {q.payload.size()}}, {"data_offsets", {0, q.payload.size()}}};
  size_t off = data.size();
  if (!q.scales.empty()) {
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

QuantizedTensor parse_safetensors(const std::vector<uint8_t>& b, const std::string& where) {
  if (b.size() < 8)
    fail(where + ": not a safetensors file (shorter than its 8-byte header length)");
  uint64_t hlen = 0;
  for (int k = 0; k < 8; ++k) hlen |= static_cast<uint64_t>(b[k]) << (8 * k);
  if (hlen > b.size() - 8)
    fail(where + ": truncated safetensors header (" + std::to_string(hlen) + " bytes announced)");
  json h;
  try {
    h = json::parse(b.begin() + 8, b.begin() + 8 + static_cast<std::ptrdiff_t>(hlen));
  } catch (const json::exception& e) {
    fail(where + ": malformed safetensors header: " + e.what());
  }
  const size_t base = 8 + hlen;
  QuantizedTensor q;
  try {
    const json& m = h.at("__metadata__");
    q.format = m.at("lowp.format").get<std::string>();
    q.shape = json::parse(m.at("lowp.shape").get<std::string>()).get<std::vector<int64_t>>();
    q.packing = packing_by_name(m.at("lowp.packing").get<std::string>(), where);
  } catch (const json::exception& e) {
    fail(where +
         ": not a lowp quantized tensor (metadata lowp.format/lowp.shape/lowp.packing missing or "
         "malformed: " +
         std::string(e.what()) + ")");
  }
  const Format f = parse_format(q.format);
  // Raw bytes of one named tensor, bounds-checked against the file.
  auto bytes_of = [&](const char* name, const char* dtype) -> std::vector<uint8_t> {
    if (!h.contains(name)) fail(where + ": tensor '" + name + "' missing");
    const json& t = h[name];
    if (t.at("dtype") != dtype)
      fail(where + ": tensor '" + name + "' has dtype " + t.at("dtype").dump() + ", expected " +
           dtype);
    const auto offs = t.at("data_offsets").get<std::vector<uint64_t>>();
    if (offs.size() != 2 || offs[0] > offs[1] || offs[1] > b.size() - base)
      fail(where + ": tensor '" + name + "' lies outside the file (truncated?)");
    return {b.begin() + static_cast<std::ptrdiff_t>(base + offs[0]),
            b.begin() + static_cast<std::ptrdiff_t>(base + offs[1])};
  };
  try {
    q.payload = bytes_of("payload", "U8");
    if (f.scaled()) {
      const bool bytes1 = byte_scales(f);
      const auto s = bytes_of("scales", bytes1 ? "U8" : "F32");
      const size_t w = bytes1 ? 1 : 4;
      if (s.size() % w) fail(where + ": scales tensor has a partial element");
      q.scales.resize(s.size() / w);
      for (size_t i = 0; i < q.scales.size(); ++i)
        for (size_t k = 0; k < w; ++k)
          q.scales[i] |= static_cast<uint32_t>(s[i * w + k]) << (8 * k);
    }
    if (f.tensor_scale) {
      const auto t = bytes_of("tensor_scale", "F32");
      if (t.size() != 4) fail(where + ": tensor_scale must hold one fp32 value");
      std::memcpy(&q.tensor_scale, t.data(), 4);
      q.has_tensor_scale = true;
    }
  } catch (const json::exception& e) {
    fail(where + ": malformed tensor entry in safetensors header: " + e.what());
  }
  validate(q, where);
  return q;
}

void write_safetensors(const std::string& path, const QuantizedTensor& q) {
  write_file_atomic(path, serialize_safetensors(q));
}

QuantizedTensor read_safetensors(const std::string& path) {
  return parse_safetensors(read_file_bytes(path), path);
}

}  // namespace lowp
