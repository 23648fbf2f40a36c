// The per-call format options shared by cast/quantize/error (--round, --saturate, --seed, ...).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "formats/format.h"

namespace lowp::cli {

struct FormatOptions {
  std::string format;
  std::string round, profile, scale;
  bool saturate = false;
  long long seed = -1;
  int block = 0;

  // Adds FORMAT and the options this command takes (`with_block_options` for scaled formats).
  void add_to(CLI::App* sub, bool with_block_options);
  // The format string with the options appended, parsed by the one grammar.
  Format resolve() const;
};

}  // namespace lowp::cli
