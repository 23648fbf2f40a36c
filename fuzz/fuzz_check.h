// What every fuzz target shares: a property check that aborts (a finding) with a message.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace lowp::fuzz {

// A broken property is a finding: print what broke and abort so libFuzzer saves the input.
inline void check(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "lowp fuzz property violated: %s\n", what.c_str());
  std::abort();
}

}  // namespace lowp::fuzz
