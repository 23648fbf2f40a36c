// Crash-safe file writes: modes kept, failures named and harmless, no temporary file left behind.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "tensor/file_util.h"
#include "tensor/npy.h"
#include "tests/common/scratch.h"
#include "tests/tensor/tensor_test_util.h"

namespace lowp {
namespace {

using test::expect_error;
using test::file_bytes;
using test::put_file;

mode_t mode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Names in `dir` other than `keep`: temporary files that a write left behind.
std::vector<std::string> leftovers(const std::string& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) out.push_back(name);
  }
  return out;
}

TEST(Write, ExistingFileKeepsItsMode) {
  const std::string dir = testing::scratch_dir();
  for (mode_t mode : {mode_t{0600}, mode_t{0640}, mode_t{0755}}) {
    const std::string path = dir + "/out.bin";
    put_file(path, {1, 2, 3, 4});
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    write_file_atomic(path, {5, 6});
    EXPECT_EQ(mode_of(path), mode);
    EXPECT_EQ(file_bytes(path), (std::vector<uint8_t>{5, 6}));
  }
  EXPECT_EQ(leftovers(dir, {"out.bin"}), std::vector<std::string>{});
}

TEST(Write, NewFileGetsTheUmaskMode) {
  const std::string dir = testing::scratch_dir();
  for (mode_t mask : {mode_t{022}, mode_t{077}}) {
    const std::string path = dir + "/new" + std::to_string(mask) + ".bin";
    const mode_t old = ::umask(mask);
    write_file_atomic(path, {1});
    ::umask(old);
    EXPECT_EQ(mode_of(path), 0666 & ~mask) << path;
  }
}

// A full device: the error names it, and the device is still the device afterwards.
TEST(Write, FullDeviceIsAnErrorNamingIt) {
  struct stat before;
  if (::stat("/dev/full", &before) != 0 || !S_ISCHR(before.st_mode))
    GTEST_SKIP() << "no /dev/full on this system";
  expect_error([] { write_file_atomic("/dev/full", std::vector<uint8_t>(4096, 7)); },
               {"/dev/full", "No space left"});
  struct stat after;
  ASSERT_EQ(::stat("/dev/full", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(after.st_rdev, before.st_rdev);
}

// A write that fails part-way (the file size limit stands in for a full disk, and binds root too)
// is an error naming the file; the old file is untouched and no temporary file remains.
TEST(Write, FailedWriteKeepsTheOldFile) {
  const std::string dir = testing::scratch_dir(), path = dir + "/out.npy";
  put_file(path, {'o', 'l', 'd'});
  std::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills the process at the limit
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  NpyArray a;
  a.shape = {4096};
  a.data = test::data(4096);
  expect_error([&] { write_npy(path, a); }, {path, "unchanged"});
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_EQ(file_bytes(path), (std::vector<uint8_t>{'o', 'l', 'd'}));
  EXPECT_EQ(leftovers(dir, {"out.npy"}), std::vector<std::string>{});
}

TEST(Write, SymbolicLinkIsWrittenThrough) {
  const std::string dir = testing::scratch_dir();
  put_file(dir + "/real.bin", {1});
  ASSERT_EQ(::chmod((dir + "/real.bin").c_str(), 0600), 0);
  ASSERT_EQ(::symlink("real.bin", (dir + "/link.bin").c_str()), 0);
  write_file_atomic(dir + "/link.bin", {2, 3});
  struct stat st;
  ASSERT_EQ(::lstat((dir + "/link.bin").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the link was replaced by a file";
  EXPECT_EQ(file_bytes(dir + "/real.bin"), (std::vector<uint8_t>{2, 3}));
  EXPECT_EQ(mode_of(dir + "/real.bin"), 0600u);
  EXPECT_EQ(leftovers(dir, {"real.bin", "link.bin"}), std::vector<std::string>{});
}

TEST(Write, DirectoryOrMissingFolderIsAnError) {
  const std::string dir = testing::scratch_dir();
  expect_error([&] { write_file_atomic(dir, {1}); }, {dir, "is a directory"});
  expect_error([&] { write_file_atomic(dir + "/no/such/out.bin", {1}); },
               {dir + "/no/such/out.bin", "cannot create"});
  EXPECT_EQ(leftovers(dir, {}), std::vector<std::string>{});
}

TEST(Write, SameFileComparesDeviceAndInode) {
  const std::string dir = testing::scratch_dir();
  put_file(dir + "/a", {1});
  put_file(dir + "/b", {1});
  ASSERT_EQ(::link((dir + "/a").c_str(), (dir + "/hard").c_str()), 0);
  ASSERT_EQ(::symlink("a", (dir + "/soft").c_str()), 0);
  EXPECT_TRUE(same_file(dir + "/a", dir + "/a"));
  EXPECT_TRUE(same_file(dir + "/a", dir + "/./a"));
  EXPECT_TRUE(same_file(dir + "/a", dir + "/hard"));
  EXPECT_TRUE(same_file(dir + "/soft", dir + "/a"));
  EXPECT_FALSE(same_file(dir + "/a", dir + "/b"));  // same bytes, other file
  EXPECT_FALSE(same_file(dir + "/a", dir + "/missing"));
}

}  // namespace
}  // namespace lowp
