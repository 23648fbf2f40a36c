// Packed quantization: codes per task chunk (SIMD), packed with formats/pack.h, and back.
#include "kernels/packed.h"

#include <algorithm>
#include <string>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/quantize.h"
#include "kernels/runtime.h"
#include "util/error.h"

namespace lowp::kernels {
namespace {

constexpr int64_t kChunk = 1 << 16;  // elements per task; a multiple of 4 keeps every
                                     // packing's chunks on byte boundaries

void check_packing(const Format& f, Packing p, const char* op) {
  if (p != packing_for(f.elem, false) && p != packing_for(f.elem, true))
    fail(std::string(op) + ": packing " + packing_name(p) + " does not fit format " +
         f.to_string() + "; use packing_for(format)");
}

}  // namespace

void quantize_packed(const Format& f, Packing packing, const float* x, int64_t rows, int64_t cols,
                     const PackedOut& out, uint64_t index_base) {
  check_packing(f, packing, "quantize_packed");
  if (rows < 0 || cols < 0) fail("quantize_packed: negative shape");
  const int64_t n = rows * cols;
  if (n > 0 && (x == nullptr || out.payload == nullptr))
    fail("quantize_packed: null input or payload pointer");
  const int64_t tasks = task_count(n, kChunk);
  if (!f.scaled()) {
    // Element formats: each chunk's codes go straight into its bytes.
    std::vector<QuantStats> st(static_cast<size_t>(tasks));
    parallel_for(tasks, [&](int64_t t) {
      const int64_t b = t * kChunk, e = std::min(n, b + kChunk);
      thread_local std::vector<uint32_t> codes;
      codes.resize(static_cast<size_t>(e - b));
      QuantOut o;
      o.codes = codes.data();
      o.stats = out.stats ? &st[t] : nullptr;
      kernels::quantize_tensor(f, x + b, 1, e - b, o, index_base + static_cast<uint64_t>(b));
      pack_codes(packing, codes.data(), codes.size(),
                 out.payload + packed_bytes(packing, static_cast<size_t>(b)));
    });
    if (out.stats)
      for (const QuantStats& s : st) {
        out.stats->n += s.n;
        out.stats->saturated += s.saturated;
        out.stats->flushed += s.flushed;
        out.stats->nan_mapped += s.nan_mapped;
        out.stats->overflowed += s.overflowed;
      }
    return;
  }
  // Scaled formats: groups need not follow the flat chunks, so all codes first, then pack.
  std::vector<uint32_t> codes(static_cast<size_t>(n));
  QuantOut o;
  o.codes = codes.data();
  o.scales = out.scales;
  o.tensor_scale = out.tensor_scale;
  o.stats = out.stats;
  kernels::quantize_tensor(f, x, rows, cols, o, index_base);
  parallel_for(tasks, [&](int64_t t) {
    const int64_t b = t * kChunk, e = std::min(n, b + kChunk);
    pack_codes(packing, codes.data() + b, static_cast<size_t>(e - b),
               out.payload + packed_bytes(packing, static_cast<size_t>(b)));
  });
}

void dequantize_packed(const Format& f, Packing packing, const uint8_t* payload,
                       const uint32_t* scales, uint32_t tensor_scale_bits, int64_t rows,
                       int64_t cols, float* values) {
  check_packing(f, packing, "dequantize_packed");
  if (rows < 0 || cols < 0) fail("dequantize_packed: negative shape");
  const int64_t n = rows * cols;
  std::vector<uint32_t> codes(static_cast<size_t>(n));
  parallel_for(task_count(n, kChunk), [&](int64_t t) {
    const int64_t b = t * kChunk, e = std::min(n, b + kChunk);
    unpack_codes(packing, payload + packed_bytes(packing, static_cast<size_t>(b)),
                 static_cast<size_t>(e - b), codes.data() + b);
  });
  kernels::dequantize_tensor(f, codes.data(), scales, tensor_scale_bits, rows, cols, values);
}

}  // namespace lowp::kernels
