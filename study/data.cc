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
  s = s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(trim(cell));
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
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const std::vector<std::string> cells = split(line);
    if (col.empty()) {  // the header
      for (size_t i = 0; i < cells.size(); ++i) col[cells[i]] = i;
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
    auto cell = [&](const char* name) -> std::optional<std::string> {
      const auto it = col.find(name);
      if (it == col.end()) return std::nullopt;
      if (it->second >= cells.size())
        fail(where + ": the row has " + std::to_string(cells.size()) + " cells but column " + name +
             " is number " + std::to_string(it->second + 1));
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
    if (const auto s = cell("seed"); s && !s->empty())
      r.seed = static_cast<long long>(number(*s, where, "seed"));
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
