// Checkpoints: everything a run needs to continue bit-identically, in one atomically written file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/model.h"
#include "optim/optimizer.h"

namespace lowp {

struct CheckpointMeta {
  std::string uid;           // the run's id in the results store
  int64_t step = 0;          // optimizer steps completed
  std::string config_json;   // TrainConfig (config_to_json)
  std::string recipe_json;   // the resolved recipe (recipe_to_json)
  std::string code_version;  // of the writer
  double initial_loss = 0;   // the first step's loss (the divergence reference)
};

// File layout (little-endian): "LOWPCKP1", u64 meta length, meta JSON, u64 tensor count, then
// per tensor u32 name length, name, u64 element count, fp32 data; last, the FNV-1a 64 hash of
// every byte before it. Parameters are stored as "param/<name>", optimizer state under its
// own names. Written to a temporary file, fsynced, renamed over <dir>/ckpt-<step>.bin: a crash
// leaves either the old state or the complete new file. Returns the path.
std::string save_checkpoint(const std::string& dir, const CheckpointMeta& meta,
                            const std::vector<Param>& params,
                            const std::vector<StateTensor>& state);

// Verifies the file and returns its meta without touching any tensor.
CheckpointMeta read_checkpoint_meta(const std::string& path);

// Verifies the file and restores every parameter value (and, if `state` is non-null, every
// optimizer state tensor) in place. Names and sizes must match exactly; errors say which.
CheckpointMeta load_checkpoint(const std::string& path, std::vector<Param>& params,
                               const std::vector<StateTensor>* state);

// The ckpt-<step>.bin with the highest step in `dir`; "" if there is none (or no dir).
std::string latest_checkpoint(const std::string& dir);

}  // namespace lowp
