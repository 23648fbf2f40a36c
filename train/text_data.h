// Byte-token text corpus: a seed-determined train/validation split and batch order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"

namespace lowp {

// The corpus is cut into 4 KiB blocks; each block goes to validation with probability
// `val_fraction`, decided by the counter-based generator from (seed, block index), so the
// split is a pure function of the file and the seed (at least one block lands on each side).
// Training batch `step` holds `batch` windows of seq+1 bytes at positions drawn from
// (seed, step, row): any batch can be produced without producing the ones before it, which
// makes resuming trivial. Validation batches are consecutive non-overlapping windows.
class TextData : public DataSource {
 public:
  TextData(const std::string& path, int batch, int seq, uint64_t seed, double val_fraction,
           int val_batches);

  Batch train_batch(int64_t step) override;
  int64_t val_batches() const override { return val_batches_; }
  Batch val_batch(int64_t i) override;

  int64_t train_bytes() const { return static_cast<int64_t>(train_.size()); }
  int64_t val_bytes() const { return static_cast<int64_t>(val_.size()); }

  static constexpr int64_t kBlock = 4096;

 private:
  std::vector<uint8_t> train_, val_;
  int batch_, seq_;
  uint64_t seed_;
  int64_t val_batches_;
};

// The bundled corpus (data/kjv.txt of the source tree, written by scripts/setup.sh).
std::string default_corpus_path();

// Throws lowp::Error with the byte offset of the first malformed UTF-8 sequence.
void check_utf8(const std::vector<uint8_t>& bytes, const std::string& path);

}  // namespace lowp
