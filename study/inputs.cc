// Builds LawInputs from format strings or explicit precision numbers.
#include "study/inputs.h"

#include <cmath>

#include "util/error.h"

namespace lowp::study {

void require_positive(double v, const std::string& what) {
  if (!(v > 0) || !std::isfinite(v))
    fail(what + " must be a positive finite number, got " + num(v, 6));
}

bool same_format(const std::string& a, const std::string& b) {
  return parse_format(a) == parse_format(b);
}

LawInput make_input(const Law& law, const ConstantSet& set, double N, double D,
                    const InputSpec& spec, std::vector<std::string>* notes) {
  require_positive(N, "N (parameters)");
  require_positive(D, "D (tokens)");
  LawInput x;
  x.N = N;
  x.D = D;
  std::optional<FormatPrecision> fp;
  if (!spec.format.empty()) fp = precision_of(spec.format);  // throws on unparsable text

  if (&law == &sun2025_law()) {
    if (spec.prec) {
      x.prec = *spec.prec;
    } else if (fp) {
      x.prec = fp->p;
      const std::string note = bs_note(*fp);
      if (!note.empty() && notes) notes->push_back(note);
    } else {
      fail(
          "sun2025 needs the training format: give a format (e.g. e4m3:block=128) or Eb, Mb "
          "and Bs explicitly");
    }
    if (x.prec.Eb < 0 || x.prec.Mb < 0 || !(x.prec.Bs >= 1))
      fail("sun2025 needs Eb >= 0, Mb >= 0 and Bs >= 1, got Eb " + num(x.prec.Eb) + ", Mb " +
           num(x.prec.Mb) + ", Bs " + num(x.prec.Bs));
  } else if (&law == &kumar2024_law()) {
    const bool any = spec.bits_w || spec.bits_a || spec.bits_kv;
    if (!fp && !(spec.bits_w && spec.bits_a && spec.bits_kv))
      fail(
          "kumar2024 needs the precision of weights, activations and KV cache: give a format "
          "(all three in it) or all of bits_w, bits_a, bits_kv" +
          std::string(any ? " (some are missing)" : ""));
    const double P = fp ? fp->p.bits() : 0;
    x.bits_w = spec.bits_w.value_or(P);
    x.bits_a = spec.bits_a.value_or(P);
    x.bits_kv = spec.bits_kv.value_or(P);
    for (double b : {x.bits_w, x.bits_a, x.bits_kv}) require_positive(b, "kumar2024 bits");
  } else if (&law == &quartet_law()) {
    if (spec.eff_n || spec.eff_d) {
      if (!(spec.eff_n && spec.eff_d))
        fail("quartet needs both eff_n and eff_d when either is given");
      require_positive(*spec.eff_n, "eff_n");
      require_positive(*spec.eff_d, "eff_d");
      x.eff_n = *spec.eff_n;
      x.eff_d = *spec.eff_d;
    } else if (fp) {
      if (fp->p.bits() >= kHighPrecisionBits) {
        x.eff_n = x.eff_d = 1;  // the law's baseline precision
      } else if (!set.eff_format.empty() && same_format(spec.format, set.eff_format)) {
        x.eff_from_law = true;
      } else {
        fail("quartet's constant set '" + set.name + "' has efficiencies for " +
             (set.eff_format.empty() ? std::string("no low-precision format") : set.eff_format) +
             " only; for '" + spec.format + "' give eff_n and eff_d explicitly (or fit them)");
      }
    } else {
      fail(
          "quartet needs the training format (>= 16 bits, or the format its effN/effD belong "
          "to) or explicit eff_n and eff_d");
    }
  }
  return x;
}

}  // namespace lowp::study
