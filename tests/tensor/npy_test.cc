// The .npy reader on hostile input: every size checked before use, reads bounded, errors named.
#include "tensor/npy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tests/common/scratch.h"
#include "tests/tensor/tensor_test_util.h"

namespace lowp {
namespace {

using test::expect_error;

// A version-`major` .npy with header dict `dict` followed by `data_bytes` zero bytes.
std::vector<uint8_t> npy_bytes(const std::string& dict, size_t data_bytes, int major = 1) {
  std::string h = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  for (size_t k = 0; k < prefix - 8; ++k) b.push_back(static_cast<uint8_t>(h.size() >> (8 * k)));
  b.insert(b.end(), h.begin(), h.end());
  b.resize(b.size() + data_bytes);
  return b;
}

std::string dict(const std::string& shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

TEST(Npy, ValidHeadersParse) {
  const NpyArray a = parse_npy(npy_bytes(dict("(2, 3)"), 24), "x.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data.size(), 6u);
  EXPECT_EQ(parse_npy(npy_bytes(dict("()"), 4), "x.npy").shape, std::vector<int64_t>{});
  EXPECT_EQ(parse_npy(npy_bytes(dict("(5,)"), 20, 2), "x.npy").shape, std::vector<int64_t>{5});
  EXPECT_EQ(
      parse_npy(npy_bytes("{\"shape\": (0, 7), \"fortran_order\": False, \"descr\": '<f4'}", 0),
                "x.npy")
          .shape,
      (std::vector<int64_t>{0, 7}));
}

// Numbers too large for any arithmetic: errors that name the file and the field, never a
// standard-library exception (stoll, vector::_M_default_append) escaping.
TEST(Npy, HugeSizesAreNamedErrors) {
  expect_error([] { parse_npy(npy_bytes(dict("(99999999999999999999999,)"), 0), "x.npy"); },
               {"x.npy", "'shape'", "dimension 0"});
  expect_error([] { parse_npy(npy_bytes(dict("(4294967296, 4294967296)"), 0), "x.npy"); },
               {"x.npy", "'shape'", "2^60"});
  // 2^62 elements: 2^64 bytes wrap around to 0, which an empty data section would "match".
  expect_error([] { parse_npy(npy_bytes(dict("(4611686018427387904,)"), 0), "x.npy"); },
               {"x.npy", "'shape'"});
  expect_error([] { parse_npy(npy_bytes(dict("(1099511627776,)"), 16), "x.npy"); },
               {"x.npy", "data has 16 bytes", "needs 4398046511104"});
  auto long_header = npy_bytes(dict("(1,)"), 4, 2);
  long_header[10] = long_header[11] = 0xFF;  // header length ~4 GB
  expect_error([&] { parse_npy(long_header, "x.npy"); }, {"x.npy", "header length"});
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1, ";
  expect_error([&] { parse_npy(npy_bytes(dict(many + ")"), 4), "x.npy"); },
               {"x.npy", "64 dimensions"});
}

TEST(Npy, MalformedHeaderFieldsAreNamed) {
  expect_error([] { parse_npy(npy_bytes(dict("(-2,)"), 0), "x.npy"); }, {"x.npy", "'shape'"});
  expect_error([] { parse_npy(npy_bytes(dict("(2.5,)"), 0), "x.npy"); }, {"x.npy", "'shape'"});
  expect_error([] { parse_npy(npy_bytes(dict("[2]"), 0), "x.npy"); }, {"x.npy", "'('"});
  expect_error([] { parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False}", 0), "x.npy"); },
               {"x.npy", "'shape'"});
  expect_error(
      [] {
        parse_npy(
            npy_bytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4),
            "x.npy");
      },
      {"x.npy", "twice"});
  expect_error(
      [] {
        parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': ()}", 4), "x.npy");
      },
      {"x.npy", "True or False"});
  expect_error(
      [] {
        parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4),
                  "x.npy");
      },
      {"x.npy", "unknown key 'x'"});
  expect_error([] { parse_npy(npy_bytes(dict("(2,") + "}", 8), "x.npy"); }, "x.npy");
  expect_error([] { parse_npy(npy_bytes(dict("(2,)") + " junk", 8), "x.npy"); }, "after");
  expect_error([] { parse_npy(npy_bytes(dict("(2,)"), 12), "x.npy"); },
               {"data has 12 bytes", "needs 8"});
}

TEST(Npy, DirectoryIsNamedAsSuch) {
  const std::string dir = testing::scratch_dir();
  expect_error([&] { read_npy(dir); }, {dir, "is a directory"});
}

// An endless stream fails at once: only the 10 bytes of the magic are read.
TEST(Npy, DevZeroFailsAtTheMagic) {
  if (::access("/dev/zero", R_OK) != 0) GTEST_SKIP() << "no /dev/zero";
  expect_error([] { read_npy("/dev/zero"); }, {"/dev/zero", "not a .npy"});
}

// From a pipe (size unknown in advance) the reader takes exactly the declared data: a stream
// that goes on is an error once one byte too many arrives, and a short one is truncated.
TEST(Npy, PipeIsReadUpToTheDeclaredSize) {
  const std::string fifo = testing::scratch_dir() + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::signal(SIGPIPE, SIG_IGN);
  const auto head = npy_bytes(dict("(4,)"), 16);
  for (const bool endless : {true, false}) {
    std::thread writer([&] {
      FILE* f = std::fopen(fifo.c_str(), "wb");
      ASSERT_NE(f, nullptr);
      if (endless) {
        const std::vector<uint8_t> zeros(1 << 16);
        std::fwrite(head.data(), 1, head.size(), f);
        while (std::fwrite(zeros.data(), 1, zeros.size(), f) == zeros.size()) {
        }
      } else {
        std::fwrite(head.data(), 1, head.size() - 6, f);
      }
      std::fclose(f);
    });
    if (endless)
      expect_error([&] { read_npy(fifo); }, {fifo, "longer than"});
    else
      expect_error([&] { read_npy(fifo); }, {fifo, "data has 10 bytes", "truncated"});
    writer.join();
  }
}

}  // namespace
}  // namespace lowp
