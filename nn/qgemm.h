// GEMMs whose two operands pass through their slots' quantizers, and the tap that observes them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nn/gemm.h"
#include "nn/quantizer.h"
#include "recipe/recipe.h"

namespace lowp::nn {

// One GEMM of a layer: C = alpha * Qa(op(A)) Qb(op(B)) + beta * C, each operand quantized with
// blocks along the reduction axis K, after the GEMM's Hadamard transform (if any).
struct GemmSite {
  std::string layer;                      // recipe layer name, e.g. "layers.0.attn.wqkv"
  const char* gemm = "";                  // "fwd", "dgrad", "wgrad", "attn.qk", ...
  const char *slot_a = "", *slot_b = "";  // recipe slots of the two operands
  Quantizer a, b;
  Hadamard h;  // seed and stream set; sign_base set per step
  bool new_signs_each_step = false;

  // Both operands quantized to values bf16 holds exactly, on a machine with a bf16 matmul: the
  // GEMM may run in bf16. (qgemm also takes two-level operands there, their tensor scales
  // applied to C.)
  GemmPath path() const {
    return bf16_gemm_enabled() && a.bf16_exact() && b.bf16_exact() ? GemmPath::bf16
                                                                   : GemmPath::fp32;
  }
  Hadamard transform_at(uint64_t step) const;
};

// Allocates the stochastic-rounding and sign streams of a model's quantizers, in build order.
struct Streams {
  uint64_t seed = 0;
  uint32_t next = 1;
  uint32_t take() { return next++; }
};

// Builds the site of `gemm` for `layer` from the recipe: formats of (slot_a, slot_b) via
// Recipe::format_for, the transform of recipe.transforms[transform_key] (none if absent).
GemmSite make_site(const Recipe& r, std::string layer, const char* gemm, const char* slot_a,
                   const char* slot_b, std::string_view transform_key, Streams& streams);
// The same with both operand formats given (e.g. the head's one "head" slot format).
GemmSite make_site(std::string layer, const char* gemm, const char* slot_a,
                   std::string_view format_a, const char* slot_b, std::string_view format_b,
                   const Transform& t, Streams& streams);

// Stochastic-rounding index of an operand's first element at `step`: disjoint per step
// (operands have fewer than 2^40 elements), plus `offset` for several operands per step.
inline uint64_t step_index_base(uint64_t step, uint64_t offset = 0) {
  return (step << 40) + offset;
}

// The operand of a site after its quantizer: a compact quantized copy in `buf`, or `x` itself
// when the quantizer is the identity and no transform applies. `lhs`: operand A (op(A) is
// (M, K)), else operand B (op(B) is (K, N)); the reduction axis follows from that and trans.
// `tensor_g`, if given, receives the operand's fp32 tensor scale (1 without one).
Mat prepare_operand(const Quantizer& q, const Hadamard& h, Mat x, int64_t rows, int64_t cols,
                    bool lhs, uint64_t index_base, std::vector<float>& buf,
                    float* tensor_g = nullptr);

// An operand after its quantizer: fp32 values, or (bf16.p set) the same values as bf16 bits.
struct ReadyOperand {
  Mat f32;
  Mat16 bf16;
};

// True when qgemm of this site quantizes both operands straight to bf16 and multiplies them
// in bf16 (both quantizers bf16_exact, the bf16 path allowed): no fp32 copies are made.
bool fused_bf16(const GemmSite& s);

// True when the bf16 copy that site f's quantizer fq makes of a tensor can stand in for site
// b's quantizer bq applied to that tensor after it was saved through `saved`: both sites fused,
// neither with a transform, and bq(saved(x)) == fq(x) (same_values_through).
bool copy_serves(const GemmSite& f, const Quantizer& fq, const Quantizer& saved, const GemmSite& b,
                 const Quantizer& bq);

// prepare_operand writing bf16 bits (a compact copy in `buf`), for a bf16_exact quantizer.
// False if some value was not a bf16 value (a non-finite input's payload): use prepare_operand.
bool prepare_operand_bf16(const Quantizer& q, const Hadamard& h, Mat x, int64_t rows, int64_t cols,
                          bool lhs, uint64_t index_base, std::vector<uint16_t>& buf, Mat16* out);

// prepare_operand_bf16 writing to dst (room for rows * cols values) instead of a vector.
bool prepare_operand_bf16(const Quantizer& q, const Hadamard& h, Mat x, int64_t rows, int64_t cols,
                          bool lhs, uint64_t index_base, uint16_t* dst, Mat16* out);

// `a_ready`, if given, is A already through s.a (what prepare_operand, or for a fused site
// prepare_operand_bf16, would give: same index base, no transform active, not two-level),
// e.g. one copy of dY shared by two GEMMs. `b_ready`, if given, is B's bf16 copy with the
// values s.b would give (e.g. the forward's copy of a saved activation, same_values_through);
// the fused bf16 path reads it, any other path quantizes B itself.
void qgemm(const GemmSite& s, int64_t M, int64_t N, int64_t K, float alpha, Mat A, Mat B,
           float beta, float* C, int64_t ldc, uint64_t step, const ReadyOperand* a_ready = nullptr,
           const Mat16* b_ready = nullptr);

// ---- observation -----------------------------------------------------------------------------

struct OperandRecord {
  const char* slot = "";
  const Format* format = nullptr;  // as applied: axis, seed and stream set
  Hadamard transform;
  Axis reduction = Axis::row;  // reduction axis in the stored layout
  Mat raw, quantized;          // stored layout (quantized: raw itself for the identity)
  int64_t rows = 0, cols = 0;  // stored shape
  uint64_t index_base = 0;
};
struct GemmRecord {
  std::string_view layer;
  const char* gemm = "";
  int64_t piece = -1;  // attention: b * H + h
  int64_t M = 0, N = 0, K = 0;
  OperandRecord a, b;
  GemmPath path = GemmPath::fp32;  // the path that ran (attention pieces: not recorded, fp32)
};
// Installs a function called (under a lock, from any thread) after every quantized GEMM with
// its operands; an empty function removes it. For tests and telemetry; costs nothing unset.
void set_gemm_tap(std::function<void(const GemmRecord&)> tap);
bool gemm_tap_active();
void emit(const GemmRecord& r);
// Fills an operand record for prepare_operand's arguments and result.
OperandRecord record(const char* slot, const Quantizer& q, const Hadamard& h, Mat x, Mat q_out,
                     int64_t rows, int64_t cols, bool lhs, uint64_t index_base);

}  // namespace lowp::nn
