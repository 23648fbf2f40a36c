// Operand quantizers: a slot's format parsed once, and the one function every quantization uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "formats/format.h"
#include "kernels/hadamard.h"

namespace lowp::nn {

// The Hadamard transform of one GEMM (n = 0: none): y = H D x / sqrt(n) on blocks of n along
// the reduction axis, the same signs for both operands, so it cancels in the product:
// (H D a) . (H D b) = a . b. A description only; kernels::hadamard does the arithmetic.
struct Hadamard : kernels::HadamardSpec {
  Hadamard() { n = 0; }
  bool active() const { return n > 0; }
};

// The quantizer of one operand slot of one layer. Stochastic rounding draws come from its own
// (seed, stream), so no two quantizers of a model share random bits.
class Quantizer {
 public:
  Quantizer() = default;  // fp32: the identity
  // `format` in the format grammar. The format's own seed= and stream= are mixed into `seed`;
  // `stream` (unique per quantizer within a model) becomes the stochastic-rounding stream.
  Quantizer(std::string_view format, uint64_t seed, uint32_t stream);

  bool identity() const { return identity_; }
  // Every value it produces is exactly a bf16 value: minifloat elements of at most 8 exponent
  // and 7 mantissa bits or integers of at most 8 bits, with power-of-two scales (or ue4m3
  // scales with at most 3 element mantissa bits), without an fp32 tensor scale.
  bool bf16_exact() const { return bf16_exact_; }
  // Two-level formats (NVFP4): every value is g * v with v exactly a bf16 value and g the
  // operand's fp32 tensor scale. A GEMM may then multiply the v in bf16 and apply g to C.
  bool bf16_factored() const { return bf16_factored_; }
  const std::string& text() const { return text_; }
  // The format with blocks along `reduction`, the GEMM's reduction axis in the operand's
  // stored layout. A format string saying axis=col asks for blocks across that axis instead.
  const Format& along(Axis reduction) const { return reduction == Axis::row ? row_ : col_; }

 private:
  std::string text_ = "fp32";
  Format row_, col_;
  bool identity_ = true;
  bool bf16_exact_ = false;
  bool bf16_factored_ = false;
};

// The one function through which every operand quantization of nn/ goes: y = Q(T(x)) for
// x (rows, cols) stored with leading dimension ldx, where T is the Hadamard transform along
// `reduction` (if active) and Q the fake quantization in `f` (blocks as f.axis says; identity
// for plain fp32). y is compact (ld = cols); it may be x itself (in place) when ldx == cols and
// no transform is active, and must not overlap x otherwise. Element i = r * cols + c
// draws stochastic-rounding index index_base + i. Runs in pieces on the thread pool where the
// format's scale groups allow (row blocks), else in one piece; the bits never depend on it.
// `tensor_g`, if given, receives the format's fp32 tensor scale g for this operand (1 for
// formats without one): the factor its values carry, computed as the kernels compute it.
void quantize_operand(const Format& f, const Hadamard& h, const float* x, int64_t ldx, float* y,
                      int64_t rows, int64_t cols, Axis reduction, uint64_t index_base,
                      float* tensor_g = nullptr);

// quantize_operand with the values written as bf16 bits to y (compact, ld = cols), through a
// cache-sized fp32 buffer per piece. True when every value was a bf16 value (always, for a
// Quantizer::bf16_exact format); y holds truncations otherwise. For formats
// without an fp32 tensor scale.
bool quantize_operand_bf16(const Format& f, const Hadamard& h, const float* x, int64_t ldx,
                           uint16_t* y, int64_t rows, int64_t cols, Axis reduction,
                           uint64_t index_base);

// y = v / g rounded to bf16, for the n values v of a bf16-factored operand with tensor scale
// g. True when every y gives its v back (fl32(y * g) == v, bit for bit up to the sign of
// zero), so a bf16 GEMM of the y scaled by g computes the same products; false otherwise (a
// non-finite or fp32-subnormal value): use the v and the fp32 path then.
bool factor_tensor_scale(const float* v, int64_t n, float g, float* y);
// The same with the y written as bf16 bits.
bool factor_tensor_scale_bf16(const float* v, int64_t n, float g, uint16_t* y);

// A two-level (bf16-factored) operand straight to bf16 storage: y (compact, ld = cols) gets
// the factors that factor_tensor_scale_bf16 makes of quantize_operand's values, bit for bit,
// and *tensor_g the tensor scale g. Block formats without a transform go in cache-sized
// pieces (the tensor's amax first, then each piece quantized and factored while in cache);
// others through a whole fp32 copy. False when some value has no factor (see above).
bool quantize_operand_bf16_factored(const Format& f, const Hadamard& h, const float* x, int64_t ldx,
                                    uint16_t* y, int64_t rows, int64_t cols, Axis reduction,
                                    uint64_t index_base, float* tensor_g);

// True when a and b give the same values for the same operand whatever either's reduction
// axis: formats without blocks (element-wise, or one tensor scale), equal up to the seed and
// stream, which deterministic rounding never reads (stochastic rounding draws per quantizer).
bool same_values_any_axis(const Quantizer& a, const Quantizer& b);

// True when b(s(x)) == a(x) for every tensor x: a's copy of an operand can stand in for b's
// copy of the same tensor after it was saved through s (a saved activation read by backward).
// a and b give the same values (same_values_any_axis), and s is the identity or gives those
// values element by element without scales: a deterministic element-wise quantizer leaves its
// own values as they are, so b(s(x)) = a(a(x)) = a(x).
bool same_values_through(const Quantizer& a, const Quantizer& s, const Quantizer& b);

// True for plain fp32 (no scale): quantize_operand then only copies (and transforms).
bool is_identity(const Format& f);

// A 64-bit mix (splitmix64 finaliser) for deriving seeds.
uint64_t mix64(uint64_t x);

}  // namespace lowp::nn
