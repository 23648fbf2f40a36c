// CSV reading and the conversion of rows into law inputs.
#include "study/data.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "util/error.h"

namespace lowp::study {
namespace {

std::string trim(std::string s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// A cell without its surrounding spaces and quotes ("mxfp4" is mxfp4; spaces inside the quotes
// go too, since no value of a runs CSV has any). Quotes inside a cell are an error: this
// reader has no escaped quotes or quoted commas, and a value with quotes is no format.
std::string cell_text(const std::string& raw, const std::string& where) {
  std::string s = trim(raw);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
  if (s.find('"') != std::string::npos)
    fail(where + ": cell '" + raw + "' has a quote inside; write the value without quotes");
  return s;
}

std::vector<std::string> split(const std::string& line, const std::string& where) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(cell_text(cell, where));
  if (!line.empty() && line.back() == ',') cells.push_back("");
  return cells;
}

double number(const std::string& cell, const std::string& where, const std::string& column) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (cell.empty() || used != cell.size() || !std::isfinite(v))
    fail(where + ": column " + column + " needs a finite number, got '" + cell + "'");
  return v;
}

}  // namespace

Dataset parse_csv(std::istream& in, const std::string& source) {
  Dataset data;
  data.source = source;
  std::string line;
  std::map<std::string, size_t> col;
  size_t columns = 0;  // cells of the header
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const std::vector<std::string> cells = split(line, source + ":" + std::to_string(lineno));
    if (col.empty()) {  // the header
      for (size_t i = 0; i < cells.size(); ++i)
        if (!col.emplace(cells[i], i).second)
          fail(source + ":" + std::to_string(lineno) + ": the header names column '" + cells[i] +
               "' twice (columns " + std::to_string(col[cells[i]] + 1) + " and " +
               std::to_string(i + 1) + "); name each column once");
      columns = cells.size();
      std::string missing;
      for (const char* need : {"N", "D", "format", "loss"})
        if (!col.count(need)) missing += std::string(missing.empty() ? "" : ", ") + need;
      if (!missing.empty())
        fail(
            source + ":" + std::to_string(lineno) + ": the header lacks column(s) " + missing +
            "; a runs CSV needs N,D,format,loss (optionally seed, bits_w, bits_a, bits_kv), got '" +
            t + "'");
      continue;
    }
    const std::string where = source + ":" + std::to_string(lineno);
    // A row with more or fewer cells than the header is misaligned (a stray comma, a missing
    // cell): reading it by position would take values from the wrong columns.
    if (cells.size() != columns)
      fail(where + ": the row has " + std::to_string(cells.size()) + " cells but the header has " +
           std::to_string(columns) + " columns; give one cell per column (empty for no value)");
    auto cell = [&](const char* name) -> std::optional<std::string> {
      const auto it = col.find(name);
      if (it == col.end()) return std::nullopt;
      return cells[it->second];
    };
    Row r;
    r.line = lineno;
    r.N = number(*cell("N"), where, "N");
    r.D = number(*cell("D"), where, "D");
    r.loss = number(*cell("loss"), where, "loss");
    for (const auto& [name, v] : {std::pair{"N", r.N}, {"D", r.D}, {"loss", r.loss}})
      if (!(v > 0)) fail(where + ": " + name + " must be positive, got " + num(v, 6));
    r.spec.format = *cell("format");
    std::optional<double>* bits[3] = {&r.spec.bits_w, &r.spec.bits_a, &r.spec.bits_kv};
    const char* bit_cols[3] = {"bits_w", "bits_a", "bits_kv"};
    for (int i = 0; i < 3; ++i) {
      const auto c = cell(bit_cols[i]);
      if (c && !c->empty()) *bits[i] = number(*c, where, bit_cols[i]);
    }
    if (const auto s = cell("seed"); s && !s->empty()) {
      const double v = number(*s, where, "seed");
      if (v != std::floor(v) || std::fabs(v) >= 0x1p63)
        fail(where + ": column seed needs an integer, got '" + *s + "'");
      r.seed = static_cast<long long>(v);
    }
    data.rows.push_back(std::move(r));
  }
  if (col.empty())
    fail(source + ": empty file; a runs CSV needs a header N,D,format,loss and rows");
  if (data.rows.empty()) fail(source + ": no data rows after the header");
  return data;
}

Dataset read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot open data file '" + path + "'; give a CSV with columns N,D,format,loss");
  return parse_csv(in, path);
}

std::vector<Sample> samples_for(const Law& law, ConstantSet* set, const Dataset& data) {
  if (&law == &quartet_law()) {  // the one low-precision format effN, effD belong to
    std::string eff;
    for (const Row& r : data.rows) {
      if (r.spec.format.empty()) continue;
      try {
        if (precision_of(r.spec.format).p.bits() >= kHighPrecisionBits) continue;
      } catch (const Error& e) {
        fail(data.source + ":" + std::to_string(r.line) + ": " + e.what());
      }
      if (eff.empty())
        eff = r.spec.format;
      else if (!same_format(eff, r.spec.format))
        fail(data.source +
             ": quartet fits one effN, effD pair but the data has two "
             "low-precision formats, '" +
             eff + "' and '" + r.spec.format + "'; fit each with the >= 16-bit runs separately");
    }
    set->eff_format = eff;
  }
  std::vector<Sample> out;
  for (const Row& r : data.rows) {
    Sample s;
    try {
      s.x = make_input(law, *set, r.N, r.D, r.spec);
    } catch (const Error& e) {
      fail(data.source + ":" + std::to_string(r.line) + ": " + e.what());
    }
    s.loss = r.loss;
    s.format = r.spec.format;
    s.line = r.line;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace lowp::study
