// TextData: file -> validated bytes -> seeded block split -> keyed random windows.
#include "train/text_data.h"

#include <algorithm>

#include "util/error.h"
#include "util/file.h"
#include "util/philox.h"

namespace lowp {
namespace {

// Philox streams of the data pipeline (fixed: changing them changes every split and batch).
constexpr uint32_t kSplitStream = 0x53504c54;  // "SPLT"
constexpr uint32_t kBatchStream = 0x42415443;  // "BATC"

__extension__ typedef unsigned __int128 u128;

// A uniform integer in [0, n) from 64 keyed random bits (Lemire's multiply-high).
uint64_t uniform_below(uint64_t seed, uint64_t index, uint64_t n) {
  const uint64_t r = (uint64_t{random_bits(seed, kBatchStream, 2 * index)} << 32) |
                     random_bits(seed, kBatchStream, 2 * index + 1);
  return static_cast<uint64_t>((static_cast<u128>(r) * n) >> 64);
}

}  // namespace

std::string default_corpus_path() {
  return std::string(LOWP_DATA_DIR) + "/kjv.txt";
}

void check_utf8(const std::vector<uint8_t>& b, const std::string& path) {
  size_t i = 0;
  const size_t n = b.size();
  while (i < n) {
    const uint8_t c = b[i];
    int len = 0;
    uint32_t cp = 0;
    if (c < 0x80)
      len = 1, cp = c;
    else if ((c & 0xE0) == 0xC0)
      len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
      len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
      len = 4, cp = c & 0x07;
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      ok = (b[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (b[i + k] & 0x3F);
    }
    // Reject overlong forms, surrogates and code points beyond U+10FFFF.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    if (!ok)
      fail("data file " + path + ": not UTF-8 text (malformed byte sequence at offset " +
           std::to_string(i) + "); pass a UTF-8 text file with --data");
    i += len;
  }
}

TextData::TextData(const std::string& path, int batch, int seq, uint64_t seed, double val_fraction,
                   int val_batches)
    : batch_(batch), seq_(seq), seed_(seed) {
  std::string why;
  const auto text = read_file(path, why);
  if (!text)
    fail("data file " + path + ": cannot open it (it " + why +
         "); pass a UTF-8 text file with --data" +
         (path == default_corpus_path() ? " or run scripts/setup.sh to fetch the bundled corpus"
                                        : ""));
  const std::vector<uint8_t> bytes(text->begin(), text->end());
  if (bytes.empty()) fail("data file " + path + " is empty; pass a UTF-8 text file with --data");
  check_utf8(bytes, path);

  const int64_t n = static_cast<int64_t>(bytes.size());
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  const auto threshold = static_cast<uint64_t>(val_fraction * 4294967296.0);
  std::vector<char> is_val(blocks);
  int64_t nval = 0;
  for (int64_t b = 0; b < blocks; ++b)
    nval += is_val[b] = random_bits(seed, kSplitStream, b) < threshold;
  // Both sides need a block: move the block whose draw is closest to the threshold.
  if ((nval == 0 || nval == blocks) && blocks >= 2) {
    const bool all_val = nval == blocks;
    int64_t best = 0;
    for (int64_t b = 1; b < blocks; ++b) {
      const uint32_t r = random_bits(seed, kSplitStream, b),
                     rb = random_bits(seed, kSplitStream, best);
      if (all_val ? r > rb : r < rb) best = b;
    }
    is_val.assign(blocks, all_val);
    is_val[best] = !all_val;
  }
  for (int64_t b = 0; b < blocks; ++b) {
    auto& dst = is_val[b] ? val_ : train_;
    dst.insert(dst.end(), bytes.begin() + b * kBlock,
               bytes.begin() + std::min(n, (b + 1) * kBlock));
  }
  const int64_t window = seq + 1;
  if (train_bytes() < window || val_bytes() < window * batch)
    fail("data file " + path + " (" + std::to_string(n) + " bytes) splits into " +
         std::to_string(train_bytes()) + " training and " + std::to_string(val_bytes()) +
         " validation bytes: too few for --batch " + std::to_string(batch) + " windows of --seq " +
         std::to_string(seq) + " + 1 bytes; use a larger file or a smaller --seq/--batch");
  val_batches_ = std::min<int64_t>(val_batches, val_bytes() / (window * batch));
}

Batch TextData::train_batch(int64_t step) {
  Batch b;
  b.B = batch_, b.T = seq_;
  b.tokens.resize(static_cast<size_t>(batch_) * (seq_ + 1));
  const uint64_t starts = static_cast<uint64_t>(train_bytes() - seq_);  // positions 0..len-T-1
  for (int r = 0; r < batch_; ++r) {
    const uint64_t at = uniform_below(seed_, static_cast<uint64_t>(step) * batch_ + r, starts);
    std::copy_n(train_.begin() + static_cast<int64_t>(at), seq_ + 1,
                b.tokens.begin() + static_cast<int64_t>(r) * (seq_ + 1));
  }
  return b;
}

Batch TextData::val_batch(int64_t i) {
  if (i < 0 || i >= val_batches_)
    fail("validation batch " + std::to_string(i) + " out of range [0, " +
         std::to_string(val_batches_) + ")");
  Batch b;
  b.B = batch_, b.T = seq_;
  const int64_t window = seq_ + 1;
  const auto first = val_.begin() + i * batch_ * window;
  b.tokens.assign(first, first + batch_ * window);
  return b;
}

}  // namespace lowp
