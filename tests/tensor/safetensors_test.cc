// The safetensors reader on hostile headers: offsets, shapes and tensor scales checked, each error
// naming the tensor (or metadata key) at fault.
#include "tensor/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "tests/tensor/tensor_test_util.h"
#include "util/bits.h"

namespace lowp {
namespace {

using test::expect_error;

// A safetensors file as header text and data bytes, to edit and put back together.
struct Parts {
  std::string header;
  std::vector<uint8_t> data;
};

Parts split_file(const std::vector<uint8_t>& b) {
  uint64_t n = 0;
  for (int k = 0; k < 8; ++k) n |= static_cast<uint64_t>(b[k]) << (8 * k);
  return {std::string(b.begin() + 8, b.begin() + 8 + static_cast<std::ptrdiff_t>(n)),
          std::vector<uint8_t>(b.begin() + 8 + static_cast<std::ptrdiff_t>(n), b.end())};
}

std::vector<uint8_t> join(const Parts& p) {
  std::vector<uint8_t> b;
  b.reserve(8 + p.header.size() + p.data.size());
  for (int k = 0; k < 8; ++k) b.push_back(static_cast<uint8_t>(p.header.size() >> (8 * k)));
  for (char c : p.header) b.push_back(static_cast<uint8_t>(c));
  b.insert(b.end(), p.data.begin(), p.data.end());
  return b;
}

// `p` with the one occurrence of `from` in its header replaced by `to`.
Parts edited(Parts p, const std::string& from, const std::string& to) {
  const size_t at = p.header.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in " << p.header;
  if (at != std::string::npos) p.header.replace(at, from.size(), to);
  return p;
}

// mxfp4 on (2, 32): payload bytes [0, 32), two U8 scales at [32, 34).
Parts mxfp4_file() {
  const auto x = test::data(64);
  return split_file(
      serialize_safetensors(quantize_to_packed(parse_format("mxfp4"), x.data(), {2, 32})));
}

void expect_rejected(const Parts& p, std::initializer_list<std::string> mentions) {
  expect_error([&] { parse_safetensors(join(p), "y.st"); }, mentions);
}

TEST(Safetensors, TheUneditedFileParses) {
  const Parts p = mxfp4_file();
  EXPECT_NE(p.header.find("\"data_offsets\":[32,34]"), std::string::npos) << p.header;
  EXPECT_EQ(parse_safetensors(join(p), "y.st").scales.size(), 2u);
}

TEST(Safetensors, OverlappingOrOutOfOrderOffsetsRejected) {
  const Parts p = mxfp4_file();
  expect_rejected(edited(p, "[32,34]", "[31,33]"), {"y.st", "'scales'", "overlaps", "'payload'"});
  expect_rejected(edited(p, "[32,34]", "[0,2]"), {"'scales'", "overlaps"});
  expect_rejected(edited(p, "[32,34]", "[34,32]"), {"'scales'", "out of order"});
  expect_rejected(edited(p, "[32,34]", "[33,35]"), {"unused bytes before tensor 'scales'"});
  Parts extra = p;
  extra.data.resize(extra.data.size() + 3);
  expect_rejected(extra, {"y.st", "3 unused bytes after"});
}

TEST(Safetensors, OffsetsPastTheEndRejected) {
  Parts p = edited(edited(mxfp4_file(), "[32,34]", "[32,40]"), "\"shape\":[2]", "\"shape\":[8]");
  expect_rejected(p, {"'scales'", "outside the file"});
  p = edited(mxfp4_file(), "[32,34]", "[32,18446744073709551615]");
  expect_rejected(p, {"'scales'"});
}

TEST(Safetensors, NonIntegerOrNegativeNumbersRejected) {
  const Parts p = mxfp4_file();
  expect_rejected(edited(p, "[32,34]", "[32.0,34.0]"), {"'scales'", "data_offsets", "integers"});
  expect_rejected(edited(p, "[32,34]", "[32,3.4e1]"), {"'scales'", "data_offsets"});
  expect_rejected(edited(p, "[0,32]", "[-0,32]"), {"'payload'", "data_offsets"});
  expect_rejected(edited(p, "[32,34]", "[-1,34]"), {"'scales'", "data_offsets"});
  expect_rejected(edited(p, "\"shape\":[2]", "\"shape\":[2.0]"), {"'scales'", "'shape'"});
  expect_rejected(edited(p, "\"shape\":[2]", "\"shape\":[-2]"), {"'scales'", "'shape'"});
  expect_rejected(edited(p, "\"shape\":[2]", "\"shape\":[3]"), {"'scales'", "needs 3"});
  expect_rejected(edited(p, "\"shape\":[2]", "\"shape\":\"2\""), {"'scales'", "'shape'"});
  expect_rejected(edited(p, "\"[2,32]\"", "\"[2.0,32]\""), {"y.st", "lowp.shape"});
  expect_rejected(edited(p, "\"[2,32]\"", "\"[-2,32]\""), {"y.st", "lowp.shape"});
  expect_rejected(edited(p, "\"[2,32]\"", "\"[4294967296,4294967296]\""), {"y.st", "2^60"});
}

TEST(Safetensors, UnexpectedOrMistypedTensorsRejected) {
  const Parts p = mxfp4_file();
  expect_rejected(edited(p, "\"scales\"", "\"scalez\""), {"unexpected tensor 'scalez'"});
  expect_rejected(
      edited(edited(p, "\"dtype\":\"U8\",\"shape\":[2]", "\"dtype\":\"F32\",\"shape\":[2]"),
             "[32,34]", "[32,40]"),
      {"'scales'", "dtype"});
  expect_rejected(edited(p, "\"lowp.format\":\"mxfp4\"", "\"lowp.format\":\"e9m9\""),
                  {"y.st", "lowp.format", "e9m9"});
}

// A two-level format's tensor scale divides into every value: it must be positive and finite.
TEST(Safetensors, BadTensorScaleRejected) {
  const auto x = test::data(64);
  const Parts good = split_file(
      serialize_safetensors(quantize_to_packed(parse_format("nvfp4"), x.data(), {2, 32})));
  EXPECT_NO_THROW(parse_safetensors(join(good), "y.st"));
  const float inf = std::numeric_limits<float>::infinity();
  for (float g : {std::nanf(""), inf, -inf, 0.0f, -0.0f, -1.0f, -1e-40f}) {
    Parts p = good;
    const uint32_t bits = f2u(g);
    std::memcpy(p.data.data() + p.data.size() - 4, &bits, 4);  // tensor_scale is the last tensor
    expect_rejected(p, {"y.st", "'tensor_scale'", "positive finite"});
  }
}

}  // namespace
}  // namespace lowp
