// libFuzzer target: arbitrary bytes through the safetensors reader; what parses must decode and
// round-trip exactly.
// Build: lowp_fuzzer(safetensors_fuzz SOURCES safetensors_fuzz.cc LIBS lowp_tensor) in
// fuzz/CMakeLists.txt (clang), or by hand against a clang build of lowp_tensor compiled with
// -fsanitize=fuzzer-no-link (see the commit that added this file). Seeds:
// fuzz/corpus/safetensors (fuzz/make_corpus.sh), words: fuzz/dict/safetensors_fuzz.dict.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tensor/quantized.h"
#include "tensor/safetensors.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lowp::QuantizedTensor q;
  try {
    lowp::ByteSource src(data, size, "fuzz.safetensors");
    q = lowp::read_safetensors(src);
  } catch (const lowp::Error&) {
    return 0;  // bad input rejected with a message: the expected outcome
  }
  // A tensor the reader accepts must decode (one value per element) and survive a write and a
  // read unchanged; any exception here escapes and is a finding.
  const std::vector<float> values = lowp::dequantize_packed(q);
  if (values.size() != static_cast<size_t>(lowp::checked_numel(q.shape, "fuzz"))) std::abort();
  const lowp::QuantizedTensor r =
      lowp::parse_safetensors(lowp::serialize_safetensors(q), "round trip");
  if (r.format != q.format || r.shape != q.shape || r.packing != q.packing ||
      r.payload != q.payload || r.scales != q.scales || r.tensor_scale != q.tensor_scale ||
      r.has_tensor_scale != q.has_tensor_scale)
    std::abort();
  return 0;
}
