// Test helper: reads the lines of a gzip-compressed (or plain) text file.
#pragma once

#include <zlib.h>

#include <string>
#include <vector>

namespace lowp::test {

// All lines of `path` without their newline; empty if the file cannot be opened.
inline std::vector<std::string> read_gz_lines(const std::string& path) {
  std::vector<std::string> lines;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return lines;
  std::string cur;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        lines.push_back(std::move(cur));
        cur.clear();
      } else {
        cur.push_back(buf[i]);
      }
    }
  }
  if (!cur.empty()) lines.push_back(std::move(cur));
  gzclose(f);
  return lines;
}

// Splits `s` at every `sep`.
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

inline std::string shared_dir() {
  return LOWP_SHARED_DIR;
}

}  // namespace lowp::test
