// One quantization call, laid out as independent tasks (internal to kernels/).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "formats/scaled.h"
#include "kernels/codec.h"
#include "kernels/scale.h"

namespace lowp::kernels {

// CastFlag counts of one task, summed in task order (integers: any order gives the same sum).
struct Counts {
  int64_t n = 0, saturated = 0, flushed = 0, nan_mapped = 0, overflowed = 0;
  int64_t nonfinite = 0;   // quant_error: elements left out of the sums
  double sse = 0, ss = 0;  // quant_error: sum (x - q(x))^2, sum x^2 (finite elements)
};

// Everything a task needs. Tasks either cover a flat element range (unscaled formats and
// tensor granularity: one group) or one group row x a range of group columns.
struct Plan {
  const Format* f = nullptr;
  CastOptions co;  // the element cast (saturating for scaled formats)
  ElemCodec codec;
  ScaleKind kind = ScaleKind::none;
  ScaleParams sp;
  TensorScale ts;
  ScaleGrid grid;
  const float* x = nullptr;
  int64_t rows = 0, cols = 0;
  uint64_t index_base = 0;
  float* values = nullptr;
  uint32_t* codes = nullptr;
  uint32_t* scales = nullptr;
  bool want_flags = false;
  bool want_error = false;     // accumulate Counts::sse / ss
  bool stream_stores = false;  // large outputs: non-temporal stores (row-block fast path)

  bool flat = false;
  GroupScale flat_scale;  // the one group's scale of a flat scaled task (tensor granularity)
  int64_t chunk = 0;      // flat: elements per task (a multiple of 64)
  // grouped: a task is rows_per_task group rows x groups_per_task group columns; tasks =
  // ceil(grid_rows / rows_per_task) * col_tasks
  int64_t groups_per_task = 0, col_tasks = 0, rows_per_task = 1;
  std::vector<Counts> counts;  // one per task
};

}  // namespace lowp::kernels
