// Text conventions of the CLI commands: code widths and standard input (the value reader and
// the bit printers live in formats/value_text.h).
#pragma once

#include <string>
#include <vector>

#include "formats/element.h"
#include "formats/value_text.h"

namespace lowp::cli {

// Hex digits of a code of `f`: 1 for <= 4 bits, 2 for 5-8, 4 for 9-16, 5 for 17-20, 8 above.
int code_digits(const ElementFormat& f);

// All lines of standard input (without their newline characters).
std::vector<std::string> read_stdin_lines();

}  // namespace lowp::cli
