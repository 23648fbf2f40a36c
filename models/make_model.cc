// make_model: the model of cfg.kind.
#include "models/linreg.h"
#include "models/lm.h"
#include "models/mlp_teacher.h"
#include "models/sizes.h"

namespace lowp {

std::unique_ptr<Model> make_model(const ModelConfig& cfg, const Recipe& recipe, uint64_t seed) {
  const ModelConfig c = models::resolve(cfg);
  if (c.kind == "lm") return std::make_unique<models::LM>(c, recipe, seed);
  if (c.kind == "mlp_teacher") return std::make_unique<models::MLPTeacher>(c, recipe, seed);
  return std::make_unique<models::LinReg>(c, recipe, seed);
}

}  // namespace lowp
