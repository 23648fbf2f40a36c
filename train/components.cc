// Model and data choice: the models layer builds models; `lm` reads text, the others are synthetic.
#include "train/components.h"

#include "models/synthetic.h"
#include "train/text_data.h"

namespace lowp {

Components default_components() {
  Components c;
  c.make_model = [](const ModelConfig& m, const Recipe& recipe,
                    uint64_t seed) -> std::unique_ptr<Model> {
    return make_model(m, recipe, seed);
  };
  c.make_data = [](const TrainConfig& cfg) -> std::unique_ptr<DataSource> {
    if (cfg.model.kind == "lm")
      return std::make_unique<TextData>(cfg.data.empty() ? default_corpus_path() : cfg.data,
                                        cfg.batch, cfg.model.seq, cfg.seed, cfg.val_fraction,
                                        cfg.val_batches);
    return models::make_synthetic_data(cfg.model, cfg.seed, cfg.batch, cfg.val_batches);
  };
  return c;
}

}  // namespace lowp
