// The `lowp formats` table, shared with `lowp demo`.
#pragma once

namespace lowp::cli {

void print_format_table();

}  // namespace lowp::cli
