// Completed runs of the results store as rows for the law fitter (`lowp fit --db runs.db`).
#pragma once

#include <string>

#include "study/data.h"

namespace lowp::study {

// One row per completed run with a final validation loss: N = the run's parameter count,
// D = tokens (lm) or samples seen = steps_done x batch (x seq for lm), format = the run's
// `fwd.w` slot format (the first layer's), or "fp32" for a recipe without GEMM slots; seed
// from the run's config. `study` selects one study ("" = all). Throws lowp::Error naming the
// file when it is not a lowp results store, or when no run qualifies.
Dataset read_store(const std::string& path, const std::string& study = "");

}  // namespace lowp::study
