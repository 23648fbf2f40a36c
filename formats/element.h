// Element formats (minifloats of any width, E8M0, integers) and the scalar fp32 <-> code oracle.
#pragma once

#include <cstdint>
#include <string>

namespace lowp {

// Special-value convention of a minifloat (formats.md section 1).
//   ieee:   all-ones exponent holds inf (mantissa 0) and NaNs; -0 exists.
//   fn:     no inf; only the all-ones code (per sign) is NaN (OCP E4M3, "e4m3fn").
//   fnuz:   no inf, no -0; the code of -0 (sign bit alone) is the single NaN.
//   finite: no inf, no NaN (FP4 / FP6).
enum class Specials : uint8_t { ieee, fn, fnuz, finite };

enum class ElemKind : uint8_t {
  minifloat,  // sign (optional), E exponent bits, M mantissa bits, bias
  e8m0,       // unsigned power of two 2^(code-127), 0xFF = NaN, no zero (the MX scale)
  integer,    // two's complement, value = k * 2^-frac_bits
  fp32,       // IEEE binary32 itself: code = bits (the identity format of fp32 recipe slots)
};

// Rounding modes (formats.md sections 2-3).
enum class Round : uint8_t { rne, rna, rnz, rtz, up, down, odd, sr, sr_equal };

// Reference whose documented quirks to reproduce (formats.md section 6); `lowp` is the default.
enum class Profile : uint8_t { lowp, ml_dtypes, microxcaling, microxcaling_cuda, torchao, te };

// One element format: a row of data. Build with make_minifloat/make_integer/... which validate
// it and fill the derived fields. Invariant: every code decodes to a value exact in fp32.
struct ElementFormat {
  ElemKind kind = ElemKind::minifloat;
  int ebits = 0;
  int mbits = 0;  // integers: magnitude bits (bits - 1)
  int bias = 0;
  Specials specials = Specials::ieee;
  bool is_signed = true;
  bool symmetric = true;  // integers: [-(2^(b-1)-1), 2^(b-1)-1]; false: two's complement range
  int frac_bits = 0;      // integers: fixed-point fraction bits (MXINT8 elements are k/64)

  // Derived by the factories.
  int bits = 0;           // total storage bits
  uint32_t max_mag = 0;   // magnitude code of the largest finite value
  uint32_t sign_bit = 0;  // 1 << (bits-1) for signed formats, else 0
  uint32_t nan_code = 0;  // canonical (positive) NaN code; 0 if the format has none
  uint32_t inf_code = 0;  // positive inf code; 0 if none
  bool has_nan = false;
  bool has_inf = false;

  float max_finite() const;
  float min_normal() const;           // minifloats; integers: the smallest non-zero magnitude
  float min_subnormal() const;        // 0 if the format has no subnormals
  int emax() const;                   // exponent of the largest binade (floor(log2(max_finite)))
  std::string specials_name() const;  // "ieee", "fn", "fnuz", "finite", "e8m0", "int"
  bool operator==(const ElementFormat&) const = default;
};

inline constexpr int kDefaultBias = -100000;  // "use 2^(X-1)-1"

// eXmY with the given convention and bias (default 2^(X-1)-1; fnuz: 2^(X-1)).
ElementFormat make_minifloat(int ebits, int mbits, Specials specials, int bias = kDefaultBias);
ElementFormat make_e8m0();
ElementFormat make_fp32();
ElementFormat make_integer(int bits, bool symmetric = true, int frac_bits = 0);
// Unsigned-use variant of a minifloat (NVFP4's ue4m3 scale): negative inputs encode as +0.
ElementFormat make_unsigned(ElementFormat f);

// How one fp32 value becomes a code.
struct CastOptions {
  Round round = Round::rne;
  bool saturate = false;   // finite overflow -> max finite instead of inf/NaN
  bool subnormals = true;  // false: results below the smallest normal are flushed to zero
  int sr_bits = 0;         // random bits per element for `sr`; 0 = exact (as many as needed)
  uint64_t seed = 0;       // stochastic rounding stream: (seed, stream, element index)
  uint32_t stream = 0;
  Profile profile = Profile::lowp;
  bool operator==(const CastOptions&) const = default;
};

// Per-element outcome flags, for statistics and telemetry.
enum CastFlag : uint8_t {
  kSaturated = 1,  // a finite value beyond max finite was clamped (or inf mapped to max)
  kFlushed = 2,    // a non-zero finite value became zero
  kNanMapped = 4,  // a NaN became a number (formats without NaN)
  kOverflowed = 8  // a finite value became inf/NaN
};

// fp32 -> code. `index` selects the stochastic-rounding draw; `flags` (optional) receives
// CastFlag bits. Pure function of its arguments.
uint32_t encode(const ElementFormat& f, float x, const CastOptions& o, uint64_t index = 0,
                uint8_t* flags = nullptr);
// Encodes x * 2^exp_offset, with the scaling exact (no intermediate rounding); the MX path.
uint32_t encode_scaled(const ElementFormat& f, float x, int exp_offset, const CastOptions& o,
                       uint64_t index = 0, uint8_t* flags = nullptr);
// code -> fp32 (NaN codes give a quiet NaN carrying the code's sign).
float decode(const ElementFormat& f, uint32_t code);
// encode then decode; under profile microxcaling an infinite input stays infinite.
float quantize(const ElementFormat& f, float x, const CastOptions& o, uint64_t index = 0,
               uint8_t* flags = nullptr);

// floor(log2(a)) for finite a > 0 with the log2 rounded to fp32 first, as microxcaling's
// PyTorch code computes shared and per-element exponents (one too high for some a a few ulps
// below a power of two). Double-precision log2 then one rounding: it agreed with PyTorch 1.13's
// fp32 log2, floored, on every fp32 value up to 400 ulps below each power of two.
int floor_log2_fp32(double a);

// Code ordering key for tests: codes of one format sort the same way as their values.
bool is_nan_code(const ElementFormat& f, uint32_t code);

}  // namespace lowp
