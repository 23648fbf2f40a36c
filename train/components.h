// The one place that chooses the model and the data source of a run.
#pragma once

#include "train/trainer.h"

namespace lowp {

// lm: the model of models/ on TextData (the bundled corpus or --data); mlp_teacher, linreg:
// the models and synthetic data sources of models/.
Components default_components();

}  // namespace lowp
