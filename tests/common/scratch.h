// Test helper: a scratch directory of the running test's own, inside the build tree.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace lowp::testing {

// <build>/test-scratch/<suite>.<test>, created empty on the first call of each test. ctest runs
// tests in parallel and several worktrees share /tmp, so no test may share a file with another;
// the files stay after the test for inspection.
inline std::string scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = std::string(LOWP_BINARY_DIR) + "/test-scratch/" +
                          info->test_suite_name() + "." + info->name();
  static std::string cleaned;  // the test whose directory was emptied already
  if (cleaned != dir) {
    std::filesystem::remove_all(dir);
    cleaned = dir;
  }
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace lowp::testing
