// Shared helpers of the tensor tests: deterministic data, error expectations, raw file bytes.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "util/error.h"

namespace lowp::test {

// n values of varied sign and magnitude.
inline std::vector<float> data(size_t n) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = std::sin(0.7f * i) * std::exp2f(static_cast<float>(i % 9) - 4);
  return x;
}

// Runs f, expecting a lowp::Error whose message contains every one of `mentions`.
template <class F>
void expect_error(F f, std::initializer_list<std::string> mentions) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning " << *mentions.begin();
  } catch (const Error& e) {
    for (const auto& m : mentions)
      EXPECT_NE(std::string(e.what()).find(m), std::string::npos)
          << "'" << m << "' not in: " << e.what();
  }
}
template <class F>
void expect_error(F f, const std::string& mention) {
  expect_error(f, {mention});
}

inline std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void put_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

}  // namespace lowp::test
