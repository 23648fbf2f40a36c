// `lowp cast FORMAT`: fp32 values on stdin -> `in_bits  out_code  out_value_bits` per line.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/format_options.h"
#include "cli/text_io.h"
#include "util/bits.h"
#include "util/error.h"

namespace lowp::cli {
namespace {

FormatOptions opts;

void run_cast() {
  const Format f = opts.resolve();
  if (f.scaled())
    fail("cast takes element formats only; '" + f.to_string() +
         "' is block-scaled: use `lowp quantize`");
  const int digits = code_digits(f.elem);
  // Read and convert everything first: a malformed line fails the run before any output.
  std::string out;
  const auto lines = read_stdin_lines();
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto tokens = split_values(lines[i]);
    if (tokens.size() != 1)
      fail("line " + std::to_string(i + 1) + ": expected one value per line, found " +
           std::to_string(tokens.size()));
    const float x = parse_value(tokens[0], "line " + std::to_string(i + 1));
    const uint32_t code = encode(f.elem, x, f.cast, i);
    const float v =
        (f.cast.profile == Profile::microxcaling && std::isinf(x)) ? x : decode(f.elem, code);
    out += hex(f2u(x), 8) + "\t" + hex(code, digits) + "\t" + value_bits(v) + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

const bool registered = register_command([](CLI::App& root) {
  auto* sub = root.add_subcommand(
      "cast", "Cast fp32 values (stdin, one per line: decimal or 0x bits) to an element format");
  opts.add_to(sub, false);
  sub->callback(run_cast);
});

}  // namespace
}  // namespace lowp::cli
