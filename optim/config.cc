// The optimizer's configuration: which optimizer a recipe asks for, and range checks. Apart from
// the optimizer itself, so that readers of run configs need none of its (kernel) code.
#include <cmath>
#include <string>

#include "optim/optimizer.h"
#include "recipe/recipe.h"
#include "util/error.h"

namespace lowp {

std::string resolve_optimizer(const OptimConfig& cfg, const Recipe& recipe) {
  std::string name = cfg.name;
  if (name == "auto") {
    auto it = recipe.options.find("optimizer");
    name = it == recipe.options.end() ? "adamw" : it->second;
  }
  if (name != "adamw" && name != "sgd")
    fail("--optimizer " + cfg.name + ": unknown optimizer; valid: auto, adamw, sgd");
  return name;
}

void check_optim(const OptimConfig& c) {
  auto need = [](bool ok, const std::string& flag, double v, const char* range) {
    if (!ok) fail(flag + " " + std::to_string(v) + ": needs " + range);
  };
  need(c.beta1 >= 0 && c.beta1 < 1, "--beta1", c.beta1, "0 <= beta1 < 1");
  need(c.beta2 >= 0 && c.beta2 < 1, "--beta2", c.beta2, "0 <= beta2 < 1");
  need(c.eps > 0 && std::isfinite(c.eps), "--eps", c.eps, "a positive number");
  need(c.momentum >= 0 && c.momentum < 1, "--momentum", c.momentum, "0 <= momentum < 1");
  need(c.weight_decay >= 0 && std::isfinite(c.weight_decay), "--weight-decay", c.weight_decay,
       "a number >= 0");
  need(c.clip >= 0 && std::isfinite(c.clip), "--clip", c.clip, "a norm >= 0 (0 = off)");
}

}  // namespace lowp
