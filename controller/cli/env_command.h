#pragma once

namespace CLI {
class App;
}

namespace cast::controller {

// `cast env [--no-postgres] [--no-redis] [--no-clickhouse] [--ready-timeout S]`:
// starts the embedded environment, prints one JSON line on stdout
// ({"postgres","redis","clickhouse","folder","pids","startup_ms"}), and
// serves until SIGINT/SIGTERM, then tears it down and exits 0. Exit 3 when
// a server cannot be started.
void add_env_command(CLI::App& app);

}  // namespace cast::controller
