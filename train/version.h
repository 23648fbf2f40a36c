// The code version recorded with every run: `git describe --always --dirty` at build time, or
// the project version outside a git checkout.
#pragma once

namespace lowp {
const char* code_version();
}
