// The `lowp` command: collects the registered subcommands, parses, runs, maps errors to exits.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli/command.h"
#include "kernels/runtime.h"
#include "nn/platform.h"
#include "util/error.h"

namespace lowp::cli {

static std::vector<CommandSetup>& registry() {
  static std::vector<CommandSetup> r;
  return r;
}

bool register_command(CommandSetup setup) {
  registry().push_back(std::move(setup));
  return true;
}

int& exit_code() {
  static int code = 0;
  return code;
}

}  // namespace lowp::cli

int main(int argc, char** argv) {
  CLI::App app{"lowp: a bit-exact lab for low-precision training"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       [] { return "lowp 0.1.0\n" + lowp::nn::describe(lowp::nn::platform()); });
  for (const auto& setup : lowp::cli::registry()) setup(app);
  try {
    lowp::kernels::max_isa();  // an invalid LOWP_MAX_ISA is an error before anything runs
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "lowp: error: %s (see `lowp --help` or `lowp COMMAND --help`)\n",
                 e.what());
    return 2;
  } catch (const lowp::Error& e) {
    std::fprintf(stderr, "lowp: error: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    const auto subs = app.get_subcommands();
    const std::string cmd = subs.empty() ? "lowp" : "lowp " + subs[0]->get_name();
    std::fprintf(stderr,
                 "lowp: error: out of memory while running `%s`; give it a smaller input or "
                 "free some memory\n",
                 cmd.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lowp: internal error: %s\n", e.what());
    return 3;
  }
  return lowp::cli::exit_code();
}
