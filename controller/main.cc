// `cast`: the harness's single entry point. Subcommands arrive with the
// harness issue; until then it only describes itself.
#include "controller/cli/env_command.h"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"cast - Concurrent Agent Startup Test suite"};
  app.require_subcommand(0, 1);
  cast::add_env_command(app);
  CLI11_PARSE(app, argc, argv);
  std::puts("cast: no subcommand given; see --help");
  return 2;
}
