// The training loop and checkpoint evaluation.
#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>

#include "kernels/runtime.h"
#include "models/sizes.h"
#include "nn/counters.h"
#include "nn/platform.h"
#include "optim/schedule.h"
#include "recipe/load.h"
#include "store/store.h"
#include "train/checkpoint.h"
#include "train/run_lock.h"
#include "train/version.h"
#include "util/error.h"

namespace lowp {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kFlushSeconds = 2.0;  // metrics reach the store at least this often

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
  g_signal = sig;
  std::signal(sig, SIG_DFL);  // a second signal ends the process at once
}

// Installs SIGINT/SIGTERM handlers for the scope of a run, restoring the previous ones after.
class SignalScope {
 public:
  SignalScope() {
    g_signal = 0;
    old_int_ = std::signal(SIGINT, on_signal);
    old_term_ = std::signal(SIGTERM, on_signal);
  }
  ~SignalScope() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
  }

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

std::string new_uid() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The store's record of a run.
RunRecord run_record(const TrainConfig& cfg, const Recipe& recipe, const std::string& uid,
                     int64_t num_params) {
  RunRecord rec;
  rec.uid = uid;
  rec.study = cfg.study;
  rec.command = reproduce_command(cfg);
  rec.code_version = code_version();
  rec.config_json = config_to_json(cfg);
  rec.recipe_name = recipe.name;
  rec.recipe_json = recipe_to_json(recipe);
  rec.config = config_columns(cfg);
  for (const auto& [slot, fmt] : recipe.slots) rec.formats.push_back({"", slot, fmt});
  for (const auto& o : recipe.overrides) rec.formats.push_back({o.layer, o.slot, o.format});
  rec.num_params = num_params;
  return rec;
}

// The checkpoint's meta, once it is clear that resuming from it reproduces the run: every
// setting that changes results, and the recipe's content, must be what they were.
CheckpointMeta resumable(const std::string& ckpt, const TrainConfig& cfg,
                         const std::string& recipe_json) {
  const CheckpointMeta meta = read_checkpoint_meta(ckpt);
  TrainConfig saved = config_from_json(meta.config_json);
  saved.recipe = cfg.recipe;  // the recipe is compared by content below, not by its path
  std::string diffs;
  for (const auto& d : result_differences(saved, cfg)) diffs += "\n  " + d;
  if (!diffs.empty())
    fail("--resume: " + ckpt + " was written with other settings:" + diffs +
         "\nresume with the checkpoint's settings, or start a new run with another --out");
  if (meta.recipe_json != recipe_json)
    fail("--resume: recipe '" + cfg.recipe + "' differs from the one " + ckpt +
         " was written with; restore that recipe, or start a new run with another --out");
  return meta;
}

int64_t batch_tokens(const Batch& b) {
  return b.tokens.empty() ? b.n : static_cast<int64_t>(b.B) * b.T;
}

}  // namespace

double evaluate(Model& model, DataSource& data, uint64_t step) {
  const int64_t n = data.val_batches();
  if (n <= 0) fail("the data source has no validation batches");
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += model.step(data.val_batch(i), false, step);
  return sum / static_cast<double>(n);
}

TrainConfig effective_config(const TrainConfig& given, Recipe* recipe) {
  check_config(given);
  TrainConfig cfg = given;
  cfg.model = models::resolve(given.model);  // a named size becomes its dimensions
  Recipe r = resolve_layer_indices(load_recipe(cfg.recipe), cfg.model.layers);
  cfg.optim.name = resolve_optimizer(cfg.optim, r);
  if (recipe) *recipe = std::move(r);
  return cfg;
}

RunResult train(const TrainConfig& given, const Components& comp, TrainObserver* obs) {
  TrainObserver quiet;
  if (!obs) obs = &quiet;
  Recipe recipe;
  const TrainConfig cfg = effective_config(given, &recipe);
  kernels::set_num_threads(cfg.threads);  // the one pool: model, kernels and optimizer
  const std::string recipe_json = recipe_to_json(recipe);

  // A checkpoint directory belongs to one run: continue it with --resume, never overwrite it.
  // The lock makes the look for checkpoints and every later write one run's alone.
  std::optional<RunLock> lock;
  if (!cfg.out.empty()) lock.emplace(cfg.out);
  const std::string ckpt = cfg.out.empty() ? "" : latest_checkpoint(cfg.out);
  if (!ckpt.empty() && !cfg.resume)
    fail("--out " + cfg.out + " already holds checkpoints of a run (" + ckpt +
         "); pass --resume to continue it, or choose another --out");
  if (ckpt.empty() && cfg.resume)
    fail("--resume: no checkpoint (ckpt-<step>.bin) found in " + cfg.out +
         "; point --out at the directory of the run to continue, or leave out --resume to "
         "start a new run there");
  const CheckpointMeta meta = ckpt.empty() ? CheckpointMeta{} : resumable(ckpt, cfg, recipe_json);

  auto data = comp.make_data(cfg);
  auto model = comp.make_model(cfg.model, recipe, cfg.seed);
  std::vector<Param>& params = model->params();
  Optimizer opt(cfg.optim, recipe, params, cfg.seed);
  int64_t start = 0;
  double initial_loss = std::numeric_limits<double>::quiet_NaN();
  std::string uid = new_uid();
  if (!ckpt.empty()) {
    const auto state = opt.state();
    load_checkpoint(ckpt, params, &state);
    start = meta.step, initial_loss = meta.initial_loss, uid = meta.uid;
  }

  Store store(cfg.db);
  const RunRecord rec = run_record(cfg, recipe, uid, model->num_params());
  // From the row's start on, SIGINT/SIGTERM end the run through the loop: the row is marked
  // interrupted and a checkpoint written, never left `running`.
  SignalScope signals;
  RunResult res;
  res.run_id = store.begin_run(rec, start);
  if (lock) lock->set_run(res.run_id, std::filesystem::absolute(cfg.db).string());
  res.command = rec.command;
  res.status = "completed";
  obs->on_start(res.run_id, start, rec.command);

  // The GEMM flops of this run on each path (counters are process-wide: the difference).
  const nn::Counters flops0 = nn::counters();
  auto gemm_used = [&] {
    const nn::Counters c = nn::counters();
    return nn::gemm_use(c.gemm_flops - flops0.gemm_flops,
                        c.gemm_bf16_flops - flops0.gemm_bf16_flops, nn::gemm_caps());
  };

  std::vector<StepMetric> pending;
  std::vector<EvalMetric> pending_evals;
  auto last_flush = Clock::now();
  int64_t done = start, session_tokens = 0, last_ckpt = start;
  double session_seconds = 0;
  auto flush = [&] {
    store.record(res.run_id, pending, pending_evals, done);
    pending.clear(), pending_evals.clear();
    last_flush = Clock::now();
  };
  auto checkpoint = [&] {
    flush();  // metrics first: a crash between the two leaves the store behind, never ahead
    CheckpointMeta m{uid, done, rec.config_json, recipe_json, code_version(), initial_loss};
    obs->on_checkpoint(done, save_checkpoint(cfg.out, m, params, opt.state()));
    last_ckpt = done;
  };
  double val = std::numeric_limits<double>::quiet_NaN();
  try {
    for (int64_t s = start; s < cfg.steps; ++s) {
      if (g_signal) {
        res.status = "interrupted";
        res.reason = std::string(g_signal == SIGINT ? "SIGINT" : "SIGTERM") + " before step " +
                     std::to_string(s);
        break;
      }
      const auto t0 = Clock::now();
      const Batch batch = data->train_batch(s);
      model->zero_grad();
      const double loss = model->step(batch, true, static_cast<uint64_t>(s));
      const double lr = lr_at(cfg.schedule, s, cfg.steps);
      const double gnorm = std::isfinite(loss) ? opt.step(lr, static_cast<uint64_t>(s))
                                               : std::numeric_limits<double>::quiet_NaN();
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      session_tokens += batch_tokens(batch), session_seconds += dt;
      const double tps = dt > 0 ? static_cast<double>(batch_tokens(batch)) / dt : 0;
      pending.push_back({s, loss, lr, gnorm, tps});
      done = s + 1;
      if (s == 0) initial_loss = loss;
      if (!std::isfinite(loss))
        res.reason = "loss is " + num(loss) + " at step " + std::to_string(s);
      else if (!std::isfinite(gnorm))
        res.reason = "gradient norm is " + num(gnorm) + " at step " + std::to_string(s);
      else if (cfg.diverge_factor > 0 && initial_loss > 0 &&
               loss > cfg.diverge_factor * initial_loss)
        res.reason = "loss " + num(loss) + " exceeds --diverge-factor " + num(cfg.diverge_factor) +
                     " x the first loss " + num(initial_loss) + " at step " + std::to_string(s);
      if (!res.reason.empty()) {
        res.status = "diverged";
        break;
      }
      obs->on_step({s, cfg.steps, loss, lr, gnorm, tps});
      if ((cfg.eval_every > 0 && done % cfg.eval_every == 0) || done == cfg.steps) {
        val = evaluate(*model, *data, static_cast<uint64_t>(done));
        pending_evals.push_back({done, val});
        obs->on_eval(done, val);
      }
      if (!cfg.out.empty() &&
          ((cfg.checkpoint_every > 0 && done % cfg.checkpoint_every == 0) || done == cfg.steps))
        checkpoint();
      else if (std::chrono::duration<double>(Clock::now() - last_flush).count() > kFlushSeconds)
        flush();
    }
    if (res.status == "completed" && start == cfg.steps) {  // resumed a finished run
      val = evaluate(*model, *data, static_cast<uint64_t>(done));
      pending_evals.push_back({done, val});
      obs->on_eval(done, val);
    }
    if (res.status == "interrupted" && !cfg.out.empty() && done > last_ckpt) checkpoint();
    flush();
  } catch (const std::exception& e) {
    res.status = "failed", res.reason = e.what();
    try {
      flush();
      store.finish(res.run_id, res.status, res.reason, std::nullopt, std::nullopt, gemm_used());
    } catch (const std::exception&) {
      // The original error is the one to report.
    }
    throw;
  }
  res.steps_done = done;
  res.tokens_per_s =
      session_seconds > 0 ? static_cast<double>(session_tokens) / session_seconds : 0;
  res.final_val_loss = res.status == "completed" ? val : std::numeric_limits<double>::quiet_NaN();
  res.gemm = gemm_used();
  store.finish(res.run_id, res.status, res.reason,
               res.status == "completed" ? std::optional<double>(val) : std::nullopt,
               res.tokens_per_s, res.gemm);
  return res;
}

EvalResult evaluate_checkpoint(const std::string& path, const Components& comp,
                               const std::string& data, int val_batches) {
  const CheckpointMeta meta = read_checkpoint_meta(path);
  EvalResult r;
  r.config = config_from_json(meta.config_json);
  r.config.model = models::resolve(r.config.model);
  if (!data.empty()) r.config.data = data;
  if (val_batches > 0) r.config.val_batches = val_batches;
  const Recipe recipe = parse_recipe(meta.recipe_json, path + " (recipe)");
  auto source = comp.make_data(r.config);
  auto model = comp.make_model(r.config.model, recipe, r.config.seed);
  load_checkpoint(path, model->params(), nullptr);
  r.step = meta.step;
  r.batches = source->val_batches();
  r.val_loss = evaluate(*model, *source, static_cast<uint64_t>(meta.step));
  return r;
}

}  // namespace lowp
