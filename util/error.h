// The one exception type of lowp: a message that says what was wrong, where, and what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace lowp {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throws lowp::Error with the message; a helper so call sites read as one line.
[[noreturn]] void fail(const std::string& message);

}  // namespace lowp
