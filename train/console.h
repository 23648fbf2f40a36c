// The console view of a run: the run line and the final line on stdout, a progress bar with
// loss, tokens/s and ETA on stderr (redrawn in place on a terminal, every 5% otherwise).
#pragma once

#include <chrono>
#include <cstdio>

#include "train/trainer.h"

namespace lowp {

class ConsoleReporter : public TrainObserver {
 public:
  ConsoleReporter(std::FILE* out, std::FILE* err);
  void on_start(int64_t run_id, int64_t start_step, const std::string& command) override;
  void on_step(const StepInfo& s) override;
  void on_eval(int64_t step, double val_loss) override;
  void on_checkpoint(int64_t step, const std::string& path) override;
  // Ends the progress line and prints the result: `final val_loss <v> tokens/s <v>` last on
  // stdout when the run completed, else the stop reason on stderr.
  void finish(const RunResult& r);

 private:
  void end_line();
  std::FILE *out_, *err_;
  bool tty_;
  bool open_line_ = false;  // a progress line without its newline is on the terminal
  int64_t start_step_ = 0;
  std::chrono::steady_clock::time_point started_, last_draw_;
  int last_tick_ = -1;
};

}  // namespace lowp
