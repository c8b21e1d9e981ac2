#pragma once

namespace CLI {
class App;
}

namespace cast::controller {

// `cast run [flags]`: one whole run (see controller/run/run_session.h).
// Flags, environment variables and `--config FILE` as in the README; the
// exit code is design.md's: 0 passed, 1 failed, 2 usage or configuration,
// 3 platform or service unreachable, 4 invalid run.
void add_run_command(CLI::App& app);

// `cast controller [run flags] --listen HOST:PORT --expect-workers N` and
// `cast worker --controller HOST:PORT ...` for runs spread over hosts.
void add_controller_command(CLI::App& app);
void add_worker_command(CLI::App& app);

}  // namespace cast::controller
