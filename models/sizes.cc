// The lm size ladder and ModelConfig validation.
#include "models/sizes.h"

#include "util/error.h"

namespace lowp::models {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) fail("model config: " + what);
}

}  // namespace

const std::vector<NamedSize>& lm_sizes() {
  // Byte vocabulary (256), tied embeddings; about 0.1M to 20M parameters. `base` is the
  // reference shape of the benchmarks (4 layers, d 256, 4 heads, SwiGLU 704, sequence 256).
  static const std::vector<NamedSize> sizes = {
      {"tiny", 2, 64, 2, 192, 256},   {"mini", 3, 96, 3, 256, 256},
      {"small", 4, 128, 2, 384, 256}, {"medium", 4, 192, 3, 512, 256},
      {"base", 4, 256, 4, 704, 256},  {"large", 6, 384, 6, 1024, 256},
      {"xl", 6, 512, 8, 1408, 256},
  };
  return sizes;
}

int default_ffn(int d_model) {
  return (8 * d_model / 3 + 63) / 64 * 64;
}

ModelConfig resolve(const ModelConfig& in) {
  ModelConfig c = in;
  if (c.kind == "lm") {
    if (!c.size.empty()) {
      const NamedSize* found = nullptr;
      std::string names;
      for (const auto& s : lm_sizes()) {
        if (c.size == s.name) found = &s;
        names += std::string(names.empty() ? "" : ", ") + s.name;
      }
      require(found, "unknown lm size '" + c.size + "'; valid: " + names);
      c.layers = found->layers;
      c.d_model = found->d_model;
      c.heads = found->heads;
      c.ffn = found->ffn;
      c.seq = found->seq;
    }
    if (c.ffn == 0) c.ffn = default_ffn(c.d_model);
    require(c.layers >= 1, "layers must be >= 1");
    require(c.d_model >= 2 && c.heads >= 1 && c.d_model % c.heads == 0,
            "d_model (" + std::to_string(c.d_model) + ") must be a multiple of heads (" +
                std::to_string(c.heads) + ")");
    require((c.d_model / c.heads) % 2 == 0, "the head size d_model / heads must be even (RoPE)");
    require(c.ffn >= 1 && c.vocab >= 2 && c.seq >= 1, "ffn, seq must be >= 1 and vocab >= 2");
  } else if (c.kind == "mlp_teacher") {
    require(c.size.empty(), "mlp_teacher has no named sizes; set d_in, width, depth");
    require(
        c.d_in >= 2 && c.width >= 1 && c.depth >= 1 && c.teacher_width >= 1 && c.teacher_depth >= 1,
        "mlp_teacher needs d_in >= 2 and width, depth, teacher_width, teacher_depth >= 1");
  } else if (c.kind == "linreg") {
    require(c.size.empty(), "linreg has no named sizes; set ambient_dim and sketch_dim");
    require(c.ambient_dim >= 1 && c.sketch_dim >= 0,
            "linreg needs ambient_dim >= 1 and sketch_dim >= 0 (0: no sketch)");
    require(c.linreg_loss == "squared" || c.linreg_loss == "logistic",
            "linreg_loss must be squared or logistic, got '" + c.linreg_loss + "'");
    require(c.spectrum_exponent > 0, "spectrum_exponent must be > 0");
  } else {
    fail("model config: unknown kind '" + c.kind + "'; valid: lm, mlp_teacher, linreg");
  }
  return c;
}

}  // namespace lowp::models
