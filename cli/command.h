// Subcommand registry: each cli/cmd_*.cc registers itself, so commands stay independent files.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace lowp::cli {

// Adds one subcommand (with its options and callback) to the root app.
using CommandSetup = std::function<void(CLI::App& root)>;

// Called from a static initializer in each cmd_*.cc: `static const bool reg =
// register_command(..)`.
bool register_command(CommandSetup setup);

// Exit code of the command that ran (callbacks set it; 0 by default).
int& exit_code();

}  // namespace lowp::cli
