// Code widths and standard input for the CLI's stdin/stdout contracts.
#include "cli/text_io.h"

#include <iostream>

namespace lowp::cli {

int code_digits(const ElementFormat& f) {
  if (f.bits <= 4) return 1;
  if (f.bits <= 8) return 2;
  if (f.bits <= 16) return 4;
  if (f.bits <= 20) return 5;
  return 8;
}

std::vector<std::string> read_stdin_lines() {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(std::cin, line)) lines.push_back(line);
  return lines;
}

}  // namespace lowp::cli
