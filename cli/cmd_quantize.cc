// `lowp quantize` (stdin rows or .npy -> safetensors) and `lowp dequantize` (safetensors -> .npy).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/format_options.h"
#include "cli/text_io.h"
#include "formats/scaled.h"
#include "tensor/file_util.h"
#include "tensor/npy.h"
#include "tensor/safetensors.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp::cli {
namespace {

FormatOptions qopts;
std::string q_in, q_out, d_in, d_out;
bool fp6_unpacked = false, q_force = false, d_force = false;

// A slip of the keyboard must not destroy the input: replacing it takes --force.
void check_not_input(const std::string& in, const std::string& out, bool force) {
  if (!force && same_file(in, out))
    fail("--out '" + out + "' is the input file '" + in +
         "' (same device and inode); give another output path, or --force to replace the input");
}

// Hex text of a scale code: one byte for e8m0/ue4m3, fp32 bits otherwise.
std::string scale_text(const Format& f, uint32_t s) {
  return hex(s, (f.scale == ScaleType::e8m0 || f.scale == ScaleType::ue4m3) ? 2 : 8);
}

// One stdin row -> "scales<TAB>codes<TAB>values"; NaN-scaled blocks print '-' for their codes.
std::string quantize_row(const Format& f, const std::vector<float>& x, uint64_t index_base) {
  const int64_t n = static_cast<int64_t>(x.size());
  const ScaleGrid grid = scale_grid(f, 1, n);
  std::vector<uint32_t> codes(x.size()), scales(static_cast<size_t>(grid.count()));
  std::vector<float> values(x.size());
  uint32_t g = 0;
  QuantOut o{codes.data(), scales.data(), &g, values.data(), nullptr};
  quantize_tensor(f, x.data(), 1, n, o, index_base);
  std::string line;
  if (f.tensor_scale) line += hex(g, 8) + (scales.empty() ? "" : ",");
  for (size_t i = 0; i < scales.size(); ++i) line += (i ? "," : "") + scale_text(f, scales[i]);
  line += "\t";
  const int digits = std::max(2, code_digits(f.elem));  // codes as bytes, as the MX golden files
  for (int64_t i = 0; i < n; ++i) {
    const bool nan_block =
        f.scaled() && is_nan_scale(f, scales[static_cast<size_t>(i / grid.group_cols)]);
    line += (i ? "," : "") +
            (nan_block ? std::string("-") : hex(codes[static_cast<size_t>(i)], digits));
  }
  line += "\t";
  for (int64_t i = 0; i < n; ++i)
    line += (i ? "," : "") + value_bits(values[static_cast<size_t>(i)]);
  return line + "\n";
}

void run_quantize() {
  const Format f = qopts.resolve();
  if (f.tile_rows > 0 && q_in.empty())
    fail("2D tiles (" + f.to_string() + ") need a 2D tensor: use --in x.npy --out y.safetensors");
  if (!q_in.empty() || !q_out.empty()) {
    if (q_in.empty() || q_out.empty())
      fail("file mode needs both --in x.npy and --out y.safetensors");
    check_not_input(q_in, q_out, q_force);
    const NpyArray a = read_npy(q_in);
    write_safetensors(q_out, quantize_to_packed(f, a.data.data(), a.shape, fp6_unpacked));
    return;
  }
  if (f.axis == Axis::col)
    fail("stdin rows are quantized along the row; axis=col needs --in/--out files");
  std::string out;
  const auto lines = read_stdin_lines();
  uint64_t index_base = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string where = "line " + std::to_string(i + 1);
    std::vector<float> x;
    for (auto tok : split_values(lines[i])) x.push_back(parse_value(tok, where));
    if (x.empty()) fail(where + ": empty row; give at least one value per line");
    out += quantize_row(f, x, index_base);
    index_base += x.size();
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void run_dequantize() {
  check_not_input(d_in, d_out, d_force);
  const QuantizedTensor q = read_safetensors(d_in);
  NpyArray a;
  a.shape = q.shape;
  a.data = dequantize_packed(q);
  write_npy(d_out, a);
}

const bool registered = register_command([](CLI::App& root) {
  auto* q = root.add_subcommand(
      "quantize",
      "Quantize rows from stdin (values separated by spaces or commas) printing scales, codes and "
      "values; or a .npy file to safetensors with --in/--out");
  qopts.add_to(q, true);
  q->add_option("--in", q_in, "Input .npy (fp32)");
  q->add_option("--out", q_out,
                "Output .safetensors (packed payload + scales, format in metadata)");
  q->add_flag("--fp6-unpacked", fp6_unpacked, "Store FP6 codes one per byte instead of 4 in 3");
  q->add_flag("--force", q_force, "Allow --out to replace the --in file");
  q->callback(run_quantize);
  auto* d = root.add_subcommand("dequantize", "Decode a lowp .safetensors file to a .npy of fp32");
  d->add_option("--in", d_in, "Input .safetensors written by lowp quantize")->required();
  d->add_option("--out", d_out, "Output .npy")->required();
  d->add_flag("--force", d_force, "Allow --out to replace the --in file");
  d->callback(run_dequantize);
});

}  // namespace
}  // namespace lowp::cli
