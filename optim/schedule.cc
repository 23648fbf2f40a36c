// The warmup + cosine schedule.
#include "optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "util/error.h"

namespace lowp {

double lr_at(const ScheduleConfig& s, int64_t step, int64_t total) {
  if (step < s.warmup) return s.lr * static_cast<double>(step + 1) / static_cast<double>(s.warmup);
  const double floor = s.lr * s.final_lr_frac;
  const double p = static_cast<double>(step - s.warmup) /
                   static_cast<double>(std::max<int64_t>(1, total - s.warmup));
  return floor + (s.lr - floor) * 0.5 * (1.0 + std::cos(std::numbers::pi * std::min(p, 1.0)));
}

void check_schedule(const ScheduleConfig& s, int64_t total) {
  if (!(s.lr > 0) || !std::isfinite(s.lr))
    fail("--lr " + std::to_string(s.lr) + ": the learning rate must be a positive number");
  if (s.warmup < 0 || s.warmup > total)
    fail("--warmup " + std::to_string(s.warmup) + ": needs 0 <= warmup <= --steps (" +
         std::to_string(total) + ")");
  if (!(s.final_lr_frac >= 0 && s.final_lr_frac <= 1))
    fail("--final-lr-frac " + std::to_string(s.final_lr_frac) + ": needs a fraction in [0, 1]");
}

}  // namespace lowp
