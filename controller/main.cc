// `cast`: the harness's single entry point.
#include <absl/synchronization/mutex.h>
#include <CLI/CLI.hpp>

#include "controller/cli/env_command.h"
#include "controller/cli/run_command.h"
#include "controller/cli/schema_command.h"

int main(int argc, char** argv) {
  // Debian's absl runs deadlock detection on every absl::Mutex, i.e. on
  // every lock gRPC takes (GraphCycles::GetId showed in profiles): a global
  // graph update per lock. cast's own locks are std:: ones; nothing of ours
  // relies on it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"cast - Concurrent Agent Startup Test suite"};
  app.require_subcommand(1);
  cast::controller::add_run_command(app);
  cast::controller::add_controller_command(app);
  cast::controller::add_worker_command(app);
  cast::controller::add_env_command(app);
  cast::controller::add_schema_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
