// What a law is evaluated at: N, D and the precision inputs, from a format or explicit numbers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "study/law.h"

namespace lowp::study {

// The ways a caller names precision (CLI flags, CSV columns). Explicit numbers win over the
// format; a law reads only what it needs and ignores the rest.
struct InputSpec {
  std::string format;                             // a format string, "" when not given
  std::optional<double> bits_w, bits_a, bits_kv;  // kumar2024
  std::optional<double> eff_n, eff_d;             // quartet
  std::optional<Precision> prec;                  // sun2025: explicit Eb, Mb, Bs
};

// Builds the law's input at (N, D). `set` supplies quartet's eff_format. Assumptions that
// amount to extrapolation (Bs of unscaled formats) are appended to `notes`. Throws
// lowp::Error for non-positive N or D, unparsable formats and missing precision inputs.
LawInput make_input(const Law& law, const ConstantSet& set, double N, double D,
                    const InputSpec& spec, std::vector<std::string>* notes = nullptr);

// True when two format strings parse to the same format.
bool same_format(const std::string& a, const std::string& b);

// Throws unless v is a positive finite number; `what` names it in the message.
void require_positive(double v, const std::string& what);

}  // namespace lowp::study
