// Model and data choice. Until the models layer (models/) is part of the build, building a
// model is an error that says so; LOWP_HAVE_MODELS is set by train/CMakeLists.txt.
#include "train/components.h"

#include "train/text_data.h"
#include "util/error.h"

namespace lowp {

Components default_components() {
  Components c;
  c.make_model = [](const ModelConfig& m, const Recipe& recipe,
                    uint64_t seed) -> std::unique_ptr<Model> {
#ifdef LOWP_HAVE_MODELS
    return make_model(m, recipe, seed);
#else
    fail("this lowp was built without the models layer (models/), so it cannot build a '" + m.kind +
         "' model; build a checkout that includes models/");
#endif
  };
  c.make_data = [](const TrainConfig& cfg) -> std::unique_ptr<DataSource> {
    if (cfg.model.kind == "lm")
      return std::make_unique<TextData>(cfg.data.empty() ? default_corpus_path() : cfg.data,
                                        cfg.batch, cfg.model.seq, cfg.seed, cfg.val_fraction,
                                        cfg.val_batches);
    fail("--model " + cfg.model.kind +
         ": its synthetic data source belongs to the models layer "
         "(models/), which this build lacks");
  };
  return c;
}

}  // namespace lowp
