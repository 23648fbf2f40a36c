// Learning-rate schedule: linear warmup, then cosine decay to a floor.
#pragma once

#include <cstdint>

namespace lowp {

struct ScheduleConfig {
  double lr = 1e-3;            // peak learning rate
  int64_t warmup = 0;          // steps of linear warmup from lr/warmup to lr
  double final_lr_frac = 0.1;  // cosine floor as a fraction of lr (1 = constant after warmup)
};

// Learning rate of 0-based step `step` of `total` steps:
//   step < warmup: lr * (step + 1) / warmup
//   otherwise:     floor + (lr - floor) * (1 + cos(pi * p)) / 2,
//                  p = (step - warmup) / max(1, total - warmup), floor = lr * final_lr_frac.
double lr_at(const ScheduleConfig& s, int64_t step, int64_t total);

// Throws lowp::Error naming the bad field when the schedule cannot run.
void check_schedule(const ScheduleConfig& s, int64_t total);

}  // namespace lowp
