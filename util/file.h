// Whole-file reads that say why a path could not be read (missing, a directory, no permission).
#pragma once

#include <optional>
#include <string>

namespace lowp {

// The contents of the file at `path`, or nullopt with `why` set to the reason it cannot be read
// ("does not exist", "is a directory, not a file", "cannot be read (Permission denied)"), so
// that callers can name the path, the option it came from and what to do instead.
std::optional<std::string> read_file(const std::string& path, std::string& why);

}  // namespace lowp
