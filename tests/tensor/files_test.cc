// Quantized tensors through packing and files: exact round trips, malformed files rejected.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "formats/scaled.h"
#include "tensor/file_util.h"
#include "tensor/npy.h"
#include "tensor/safetensors.h"
#include "tests/tensor/tensor_test_util.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp {
namespace {

using test::data;
using test::expect_error;

std::string tmp(const std::string& name) {
  return ::testing::TempDir() + "lowp_" + std::to_string(::getpid()) + "_" + name;
}

TEST(Packed, RoundTripEveryFormatOddShapes) {
  for (const char* name : {"e4m3",
                           "e5m2",
                           "e2m1",
                           "e3m2",
                           "e2m3",
                           "bf16",
                           "fp16",
                           "int2",
                           "int4",
                           "int8",
                           "mxfp4",
                           "mxfp6_e3m2",
                           "mxfp6_e2m3",
                           "mxfp8_e4m3",
                           "mxint8",
                           "nvfp4",
                           "nvfp4:profile=te:tile=16x16",
                           "int4:channel",
                           "e4m3:tensor",
                           "tf32",
                           "fp32"}) {
    for (bool unpacked : {false, true}) {
      for (std::vector<int64_t> shape : {std::vector<int64_t>{7}, {3, 33}, {2, 3, 17}, {1, 1}}) {
        SCOPED_TRACE(std::string(name) + " rank " + std::to_string(shape.size()));
        const Format f = parse_format(name);
        int64_t n = 1;
        for (auto d : shape) n *= d;
        const auto x = data(static_cast<size_t>(n));
        const QuantizedTensor q = quantize_to_packed(f, x.data(), shape, unpacked);
        std::vector<float> want(x.size());
        fake_quantize(f, x.data(), want.data(), q.rows(), q.cols());
        const auto back = dequantize_packed(q);
        for (size_t i = 0; i < x.size(); ++i) {
          if (want[i] == 0 && back[i] == 0) continue;  // integer -0 has no code of its own
          EXPECT_EQ(f2u(want[i]), f2u(back[i])) << i;
        }
        // Through a safetensors file and back: identical payload, scales and values.
        const std::string path = tmp("rt.safetensors");
        write_safetensors(path, q);
        const QuantizedTensor r = read_safetensors(path);
        EXPECT_EQ(r.format, q.format);
        EXPECT_EQ(r.shape, q.shape);
        EXPECT_EQ(r.payload, q.payload);
        EXPECT_EQ(r.scales, q.scales);
        EXPECT_EQ(r.tensor_scale, q.tensor_scale);
        std::remove(path.c_str());
      }
    }
  }
}

// Empty tensors (no element, hence no scale) and 0-d tensors (one element, shape ()) keep their
// shape through packing, a safetensors file and decoding.
TEST(Packed, EmptyAndScalarShapesRoundTrip) {
  for (const char* name : {"mxfp4", "nvfp4", "nvfp4:profile=te:tile=16x16", "e4m3", "int4:channel",
                           "e4m3:tensor", "mxfp8_e4m3:axis=col", "e3m2:block=64:scale=fp32"}) {
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{0, 32}, {0}, {32, 0}, {2, 0, 16}, {}, {1}}) {
      SCOPED_TRACE(std::string(name) + " rank " + std::to_string(shape.size()));
      const Format f = parse_format(name);
      const auto x = data(shape.empty() ? 1 : static_cast<size_t>(checked_numel(shape, "")));
      const QuantizedTensor q = quantize_to_packed(f, x.data(), shape);
      const QuantizedTensor r = parse_safetensors(serialize_safetensors(q), "mem");
      EXPECT_EQ(r.shape, shape);
      EXPECT_EQ(r.scales, q.scales);
      EXPECT_EQ(r.payload, q.payload);
      const auto back = dequantize_packed(r);
      ASSERT_EQ(back.size(), x.size());
      std::vector<float> want(x.size());
      if (!want.empty()) fake_quantize(f, x.data(), want.data(), 1, 1);
      for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(f2u(want[i]), f2u(back[i]));
    }
  }
}

TEST(Npy, RoundTripShapes) {
  for (std::vector<int64_t> shape : {std::vector<int64_t>{}, {5}, {2, 3}, {2, 1, 4}, {0}}) {
    NpyArray a;
    a.shape = shape;
    int64_t n = 1;
    for (auto d : shape) n *= d;
    a.data = data(static_cast<size_t>(n));
    const std::string path = tmp("rt.npy");
    write_npy(path, a);
    const NpyArray b = read_npy(path);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.data, a.data);
    std::remove(path.c_str());
  }
}

TEST(Npy, MalformedFilesRejected) {
  NpyArray a;
  a.shape = {4};
  a.data = data(4);
  auto bytes = serialize_npy(a);
  expect_error([&] { parse_npy({1, 2, 3}, "x.npy"); }, "not a .npy");
  auto trunc = bytes;
  trunc.resize(trunc.size() - 3);
  expect_error([&] { parse_npy(trunc, "x.npy"); }, "truncated");
  auto f8 = bytes;
  const size_t at = std::string(f8.begin(), f8.end()).find("<f4");
  f8[at + 2] = '8';
  expect_error([&] { parse_npy(f8, "x.npy"); }, "float32");
  expect_error([] { read_npy("/nonexistent/dir/x.npy"); }, "/nonexistent/dir/x.npy");
}

TEST(Safetensors, MalformedFilesRejected) {
  const auto x = data(64);
  const QuantizedTensor q = quantize_to_packed(parse_format("mxfp4"), x.data(), {2, 32});
  const auto good = serialize_safetensors(q);
  expect_error([&] { parse_safetensors({1, 2}, "y.st"); }, "not a safetensors");
  auto trunc = good;
  trunc.resize(trunc.size() - 5);
  expect_error([&] { parse_safetensors(trunc, "y.st"); }, "outside the file");
  auto bad_json = good;
  bad_json[9] = '!';
  expect_error([&] { parse_safetensors(bad_json, "y.st"); }, "malformed");
  auto huge = good;
  huge[7] = 0x7F;
  expect_error([&] { parse_safetensors(huge, "y.st"); }, "truncated");
  // Scales inconsistent with the shape: rewrite the metadata shape.
  QuantizedTensor wrong = q;
  wrong.shape = {4, 32};
  expect_error([&] { parse_safetensors(serialize_safetensors(wrong), "y.st"); }, "payload");
}

TEST(Files, FailedWriteLeavesNothing) {
  expect_error([] { write_file_atomic("/nonexistent/dir/out.bin", {1, 2, 3}); }, "cannot write");
  // An existing file is replaced only on success.
  const std::string path = tmp("keep.bin");
  write_file_atomic(path, {9, 9});
  EXPECT_EQ(test::file_bytes(path), (std::vector<uint8_t>{9, 9}));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lowp
