// Out-of-line throw helper, so that hot inline code stays small.
#include "util/error.h"

namespace lowp {

void fail(const std::string& message) {
  throw Error(message);
}

}  // namespace lowp
