// The per-call format options shared by cast/quantize/error (--round, --saturate, --seed, ...).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "formats/format.h"

namespace lowp::cli {

struct FormatOptions {
  std::string format;
  std::string round, profile, scale;
  bool saturate = false;
  std::optional<long long> seed;  // unset: the format string's own (or the default)
  std::optional<long long> block;

  // Adds FORMAT and the options this command takes (`with_block_options` for scaled formats).
  void add_to(CLI::App* sub, bool with_block_options);
  // The format string with the options appended, parsed by the one grammar (an option that
  // repeats one of the string's is an error there). Throws lowp::Error for --block < 1 and
  // --seed < 0, which would otherwise be dropped.
  Format resolve() const;
};

}  // namespace lowp::cli
