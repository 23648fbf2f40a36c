// libFuzzer target: arbitrary bytes through the .npy reader; what parses must round-trip exactly.
// Build: lowp_fuzzer(npy_fuzz SOURCES npy_fuzz.cc LIBS lowp_tensor) in fuzz/CMakeLists.txt (clang),
// or by hand against a clang build of lowp_tensor compiled with -fsanitize=fuzzer-no-link (see the
// commit that added this file). Seeds: fuzz/corpus/npy (fuzz/make_corpus.sh), words: fuzz/dict/npy_fuzz.dict.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tensor/npy.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lowp::NpyArray a;
  try {
    lowp::ByteSource src(data, size, "fuzz.npy");
    a = lowp::read_npy(src);
  } catch (const lowp::Error&) {
    return 0;  // bad input rejected with a message: the expected outcome
  }
  // Written and read back, the array is the same, bit for bit (NaN payloads included); any
  // exception here escapes and is a finding.
  const lowp::NpyArray b = lowp::parse_npy(lowp::serialize_npy(a), "round trip");
  if (b.shape != a.shape || b.data.size() != a.data.size() ||
      (!a.data.empty() && std::memcmp(a.data.data(), b.data.data(), a.data.size() * 4) != 0))
    std::abort();
  return 0;
}
