// ConsoleReporter: formatting of the progress bar, evaluations and the final line.
#include "train/console.h"

#include <unistd.h>

#include <string>

namespace lowp {
namespace {

std::string duration(double s) {
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

}  // namespace

ConsoleReporter::ConsoleReporter(std::FILE* out, std::FILE* err)
    : out_(out), err_(err), tty_(isatty(fileno(err)) != 0) {}

void ConsoleReporter::end_line() {
  if (open_line_) std::fputc('\n', err_);
  open_line_ = false;
}

void ConsoleReporter::on_start(int64_t run_id, int64_t start_step, const std::string& command) {
  start_step_ = start_step;
  started_ = last_draw_ = std::chrono::steady_clock::now();
  std::fprintf(out_, "run %lld: %s\n", static_cast<long long>(run_id), command.c_str());
  std::fflush(out_);
  if (start_step > 0)
    std::fprintf(err_, "resuming run %lld at step %lld\n", static_cast<long long>(run_id),
                 static_cast<long long>(start_step));
}

void ConsoleReporter::on_step(const StepInfo& s) {
  const auto now = std::chrono::steady_clock::now();
  const int64_t done = s.step + 1;
  const int tick = static_cast<int>(20 * done / s.steps);  // 5% ticks
  const bool last = done == s.steps;
  if (tty_ ? (now - last_draw_ < std::chrono::milliseconds(100) && !last)
           : (tick == last_tick_ && !last))
    return;
  last_draw_ = now, last_tick_ = tick;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const double eta =
      elapsed / static_cast<double>(done - start_step_) * static_cast<double>(s.steps - done);
  const std::string bar = std::string(tick, '#') + std::string(20 - tick, '.');
  std::fprintf(err_, "%sstep %lld/%lld [%s] loss %.4f lr %.2e %.0f tok/s ETA %s%s",
               tty_ ? "\r" : "", static_cast<long long>(done), static_cast<long long>(s.steps),
               bar.c_str(), s.loss, s.lr, s.tokens_per_s, duration(eta).c_str(),
               tty_ ? "\033[K" : "\n");
  open_line_ = tty_;
  std::fflush(err_);
}

void ConsoleReporter::on_eval(int64_t step, double val_loss) {
  end_line();
  std::fprintf(err_, "step %lld val_loss %.4f\n", static_cast<long long>(step), val_loss);
}

void ConsoleReporter::on_checkpoint(int64_t step, const std::string& path) {
  end_line();
  std::fprintf(err_, "step %lld checkpoint %s\n", static_cast<long long>(step), path.c_str());
}

void ConsoleReporter::finish(const RunResult& r) {
  end_line();
  if (!r.gemm.empty()) std::fprintf(err_, "gemm: %s\n", r.gemm.c_str());
  if (r.status == "completed") {
    std::fprintf(out_, "final val_loss %.6f tokens/s %.1f\n", r.final_val_loss, r.tokens_per_s);
  } else {
    std::fprintf(err_, "lowp: run %lld %s after %lld steps: %s\n", static_cast<long long>(r.run_id),
                 r.status.c_str(), static_cast<long long>(r.steps_done), r.reason.c_str());
  }
  std::fflush(out_);
  std::fflush(err_);
}

}  // namespace lowp
