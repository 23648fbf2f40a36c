// `lowp formats`: one row per named format with its numeric facts.
#include <cstdio>

#include "cli/command.h"
#include "cli/format_table.h"
#include "formats/format.h"
#include "nn/platform.h"

namespace lowp::cli {

void print_format_table() {
  std::printf("%-12s %4s %5s %13s %13s %13s %-8s %5s %-6s  %s\n", "name", "bits", "bias",
              "max_finite", "min_normal", "min_subnormal", "specials", "block", "scale",
              "description");
  for (const auto& n : named_formats()) {
    const Format f = parse_format(n.name);
    const ElementFormat& e = f.elem;
    const std::string block = f.scaled() ? std::to_string(f.block) : "-";
    const char* scale = f.scaled() ? scale_type_name(f.scale) : "-";
    const bool is_int = e.kind == ElemKind::integer;
    char sub[32] = "-";  // integers have no subnormals; e8m0 has none either
    if (!is_int && e.min_subnormal() > 0)
      std::snprintf(sub, sizeof sub, "%.6g", static_cast<double>(e.min_subnormal()));
    std::printf("%-12s %4d %5s %13.6g %13.6g %13s %-8s %5s %-6s  %s\n", n.name, e.bits,
                is_int ? "-" : std::to_string(e.bias).c_str(), static_cast<double>(e.max_finite()),
                static_cast<double>(e.min_normal()), sub, e.specials_name().c_str(), block.c_str(),
                scale, n.description);
  }
}

namespace {

const bool registered = register_command([](CLI::App& root) {
  auto* sub = root.add_subcommand(
      "formats", "List the named formats: bits, bias, range, specials, block and scale");
  static bool cpu = false;
  sub->add_flag("--cpu", cpu,
                "Print the CPU's features and the paths in use (SIMD target, GEMM path) instead");
  sub->callback([] {
    if (cpu)
      std::fputs(nn::describe(nn::platform()).c_str(), stdout);
    else
      print_format_table();
  });
});

}  // namespace
}  // namespace lowp::cli
