// Measured runs from a CSV file: N, D, format, loss (optionally seed, bits_w, bits_a, bits_kv).
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "study/inputs.h"

namespace lowp::study {

// One measured run.
struct Row {
  double N = 0, D = 0, loss = 0;
  InputSpec spec;  // the format column and the optional bits columns
  std::optional<long long> seed;
  int line = 0;  // 1-based line in the source, for messages
};

struct Dataset {
  std::string source;  // file name, for messages and the report
  std::vector<Row> rows;
};

// Reads a CSV with a header row naming at least N, D, format and loss (any order, each once;
// extra columns are ignored). Blank lines and lines starting with '#' are skipped. Throws
// lowp::Error naming the file, line and column for a missing or repeated column, a row with
// more or fewer cells than the header, a non-numeric or non-positive N, D or loss, a seed that
// is not an integer, an empty file or a header without rows. Formats are checked against the
// grammar when a law reads them.
Dataset read_csv(const std::string& path);
Dataset parse_csv(std::istream& in, const std::string& source);

// A row as the fitter sees it: the law's input, the observed loss, its format label and its
// (N, D) cell (bootstrap resamples whole cells).
struct Sample {
  LawInput x;
  double loss = 0;
  std::string format;
  int line = 0;
};

// Builds the law's inputs for every row; errors name the file and line. For quartet, the
// rows below 16 bits must share one format: it becomes set->eff_format and those rows use
// the fitted effN, effD.
std::vector<Sample> samples_for(const Law& law, ConstantSet* set, const Dataset& data);

}  // namespace lowp::study
