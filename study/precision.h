// A training format as the precision-aware laws see it: exponent bits, mantissa bits, block size.
#pragma once

#include <string>
#include <string_view>

#include "formats/format.h"

namespace lowp::study {

// laws.md notation: Eb exponent bits, Mb mantissa bits, Bs elements sharing one scale.
// INT-k is (0, k-1). Total bits P = Eb + Mb + 1 (the sign bit).
struct Precision {
  double Eb = 8, Mb = 7, Bs = 128;
  double bits() const { return Eb + Mb + 1; }
  bool operator==(const Precision&) const = default;
};

// Sun et al. (2025) fitted channel-wise scaling as log2 Bs = 13.1567.
inline constexpr double kChannelLog2Bs = 13.1567;

// Formats of at least this many bits are the "high-precision" runs of a stage-wise fit.
inline constexpr double kHighPrecisionBits = 16;

// Where a format's Bs came from. The last two are lowp's documented assumption: sun2025 was
// fitted on block- and channel-scaled runs only, so a per-tensor scale and an unscaled element
// format (bf16, plain e4m3, ...) take the channel-wise value, the coarsest granularity the law
// has seen. That underestimates their penalty, so it is reported as an extrapolation.
enum class BsSource { block, tile, channel, tensor_as_channel, unscaled_as_channel };

struct FormatPrecision {
  Precision p;
  BsSource source = BsSource::block;
  std::string text;  // the format as given
};

// Eb, Mb, Bs of a format: minifloats (and fp32) by their fields, INT-k as (0, k-1), a block
// of k as Bs = k, a 2D tile r x c as Bs = r*c. Throws lowp::Error for scale-only or unsigned
// element formats (e8m0, ue4m3), which cannot hold signed training tensors.
FormatPrecision precision_of(const Format& f, std::string_view text = "");
// parse_format + precision_of.
FormatPrecision precision_of(std::string_view text);

// "" when Bs is read off the format; else the extrapolation note for the assumption above.
std::string bs_note(const FormatPrecision& fp);

// "e4m3"-style name of a layout (Eb = 0 prints as intP).
std::string layout_name(int Eb, int Mb);

}  // namespace lowp::study
