#pragma once

namespace CLI {
class App;
}

namespace cast::controller {

// `cast schema [--postgres-url U] [--redis-url U] [--clickhouse-url U] [--wait S]`:
// creates the agent platform's schema on stores started elsewhere (a
// container, another host), idempotently, retrying for up to --wait seconds
// while a store is still starting. Exit 0 when done, 3 when a store cannot
// be reached in time, 2 on bad usage.
void add_schema_command(CLI::App& app);

}  // namespace cast::controller
