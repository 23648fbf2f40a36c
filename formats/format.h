// A complete format: element format, rounding and cast options, and block scaling; the grammar.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/element.h"

namespace lowp {

// Where scales live. `none`: a plain element format (no scale).
enum class Granularity : uint8_t { none, block, channel, tensor };

// How a scale is stored: E8M0 byte, NVFP4's ue4m3 byte, fp32, or fp32 restricted to 2^k.
enum class ScaleType : uint8_t { none, e8m0, ue4m3, fp32, pow2 };

// How a scale is chosen from a block's amax (formats.md 4.1, 4.3).
//   floor, ceil, even, rceil, floor_py: power-of-two rules (e8m0, pow2).
//   amax: scale = amax / max_finite rounded into the scale type (ue4m3, fp32); NVFP4's rule.
enum class ScaleRule : uint8_t { floor, ceil, even, rceil, floor_py, amax };

// Which axis blocks run along: `row` = consecutive elements of a row (the last axis),
// `col` = consecutive elements of a column.
enum class Axis : uint8_t { row, col };

struct Format {
  std::string name;  // the named base ("e4m3", "mxfp4", "nvfp4", "e3m3", "int4", ...)
  ElementFormat elem;
  CastOptions cast;

  Granularity granularity = Granularity::none;
  int block = 0;      // block length along `axis` (block granularity)
  int tile_rows = 0;  // > 0: 2D tiles of tile_rows x block (row-major tensor)
  Axis axis = Axis::row;
  ScaleType scale = ScaleType::none;
  ScaleRule rule = ScaleRule::floor;
  bool tensor_scale = false;  // two-level: an fp32 per-tensor scale above ue4m3 block scales

  bool scaled() const { return granularity != Granularity::none; }
  bool is_nvfp4() const { return name == "nvfp4"; }
  // Canonical text; parse_format(to_string()) == *this.
  std::string to_string() const;
  bool operator==(const Format&) const = default;
};

// Parses the one grammar that names formats everywhere: `base[:option]...`, e.g. `e4m3`,
// `e5m2:sat`, `e2m1:round=sr:seed=7`, `mxfp8_e4m3:scale=rceil`, `e3m2:block=64:scale=e8m0`,
// `int4:channel`, `nvfp4:profile=te:tile=16x16`. Throws lowp::Error naming the bad part and
// the valid choices.
Format parse_format(std::string_view text);

// A named format for the `lowp formats` table.
struct NamedFormat {
  const char* name;
  const char* description;
};
const std::vector<NamedFormat>& named_formats();

// Text of enums, shared by the grammar, the CLI and the results store (a frozen contract).
const char* round_name(Round r);
const char* profile_name(Profile p);
const char* scale_type_name(ScaleType s);
const char* scale_rule_name(ScaleRule r);
Round parse_round(std::string_view s);  // also accepts the aliases even, nearest, floor
Profile parse_profile(std::string_view s);

}  // namespace lowp
