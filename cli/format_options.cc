// Turns command-line options into grammar options, so the CLI and the library name formats alike.
#include "cli/format_options.h"

#include "util/error.h"

namespace lowp::cli {

void FormatOptions::add_to(CLI::App* sub, bool with_block_options) {
  sub->add_option("FORMAT", format, "Format string, e.g. e4m3, e5m2:sat, mxfp4, nvfp4:profile=te")
      ->required();
  sub->add_option("--round", round,
                  "Rounding: rne (default), rna, rnz, rtz, up, down, odd, sr, sr_equal "
                  "(aliases even, nearest, floor)");
  sub->add_option("--profile", profile,
                  "Reference quirks: ml_dtypes, microxcaling, microxcaling_cuda, torchao, te");
  sub->add_option("--seed", seed, "Stochastic-rounding seed");
  if (with_block_options) {
    sub->add_option(
        "--scale", scale,
        "Scale rule (floor, ceil, even, rceil, floor_py, amax) or type (e8m0, ue4m3, fp32, pow2)");
    sub->add_option("--block", block, "Block size along the row");
  } else {
    sub->add_flag("--saturate", saturate, "Finite overflow gives max finite instead of inf/NaN");
  }
}

Format FormatOptions::resolve() const {
  std::string s = format;
  if (!profile.empty()) s += ":profile=" + profile;
  if (!round.empty()) s += ":round=" + round;
  if (saturate) s += ":sat";
  if (seed) {
    if (*seed < 0) fail("--seed " + std::to_string(*seed) + ": needs a seed of 0 or more");
    s += ":seed=" + std::to_string(*seed);
  }
  if (block) {
    if (*block < 1) fail("--block " + std::to_string(*block) + ": needs a block size of 1 or more");
    s += ":block=" + std::to_string(*block);
  }
  if (!scale.empty()) s += ":scale=" + scale;
  return parse_format(s);
}

}  // namespace lowp::cli
