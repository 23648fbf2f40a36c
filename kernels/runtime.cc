// Thread count, force-scalar switch and SIMD target selection (Highway's dispatch mask).
#include "kernels/runtime.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "hwy/targets.h"
#include "util/error.h"

namespace lowp::kernels {
namespace {

int env_threads() {
  if (const char* s = std::getenv("LOWP_NUM_THREADS")) {
    const int n = std::atoi(s);
    if (n >= 1) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

std::atomic<int>& threads_setting() {
  static std::atomic<int> n{env_threads()};
  return n;
}

std::atomic<bool>& scalar_setting() {
  static std::atomic<bool> on{[] {
    const char* s = std::getenv("LOWP_FORCE_SCALAR");
    return s != nullptr && std::string(s) == "1";
  }()};
  return on;
}

struct IsaCap {
  const char* name;
  int64_t best;  // the best Highway target allowed
};
constexpr IsaCap kIsaCaps[] = {{"AVX3_DL", HWY_AVX3_DL},
                               {"AVX3", HWY_AVX3},
                               {"AVX2", HWY_AVX2},
                               {"SSE4", HWY_SSE4},
                               {"EMU128", HWY_EMU128}};

// Reads LOWP_MAX_ISA once and disables every Highway target better than the cap (lower bits
// are better targets). Runs before main through a static below, so before any dispatch.
const std::string& isa_cap() {
  static const std::string cap = [] {
    const char* s = std::getenv("LOWP_MAX_ISA");
    if (s == nullptr || *s == 0) return std::string();
    std::string valid;
    for (const IsaCap& c : kIsaCaps) {
      if (std::string(s) == c.name) {
        hwy::DisableTargets(c.best - 1);
        return std::string(c.name);
      }
      valid += std::string(valid.empty() ? "" : ", ") + c.name;
    }
    fail(std::string("LOWP_MAX_ISA=") + s + " is not a known instruction set; use one of " + valid +
         ", or unset it");
  }();
  return cap;
}

// Applies the cap at load time; an invalid value is reported again by max_isa() when asked.
const bool g_cap_applied = [] {
  try {
    isa_cap();
    return true;
  } catch (const Error&) {
    return false;
  }
}();

}  // namespace

std::string max_isa() {
  return isa_cap();
}

void set_num_threads(int n) {
  if (n < 1 || n > 1024)
    fail("thread count " + std::to_string(n) + " is out of range; use 1..1024");
  threads_setting().store(n);
}

int num_threads() {
  return threads_setting().load();
}

void set_force_scalar(bool on) {
  scalar_setting().store(on);
}
bool force_scalar() {
  return scalar_setting().load();
}

std::vector<std::string> simd_targets() {
  std::vector<std::string> names;
  for (int64_t t = hwy::SupportedTargets() & HWY_TARGETS; t != 0; t &= t - 1)
    names.push_back(hwy::TargetName(t & -t));
  // Bits of better targets are lower: the list comes out best first.
  return names;
}

std::string active_simd_target() {
  const int64_t t = hwy::SupportedTargets() & HWY_TARGETS;
  return hwy::TargetName(t & -t);
}

void use_simd_target(const std::string& name) {
  hwy::SetSupportedTargetsForTest(0);
  if (name.empty()) return;
  std::string valid;
  for (int64_t t = hwy::SupportedTargets() & HWY_TARGETS; t != 0; t &= t - 1) {
    const int64_t bit = t & -t;
    if (name == hwy::TargetName(bit)) {
      hwy::SetSupportedTargetsForTest(bit);
      return;
    }
    valid += std::string(valid.empty() ? "" : ", ") + hwy::TargetName(bit);
  }
  fail("SIMD target '" + name +
       "' is not compiled in or not supported by this CPU; valid: " + valid);
}

}  // namespace lowp::kernels
