// Reads the generated code_version.h (see train/code_version.cmake).
#include "train/version.h"

#include "code_version.h"

namespace lowp {
const char* code_version() {
  return LOWP_CODE_VERSION;
}
}  // namespace lowp
