#pragma once

// `cast-reference backend`: the agent platform's backend, ready to run.

#include <optional>
#include <vector>

#include "reference/backend/agent_platform.h"
#include "reference/faults/fault_plan.h"
#include "reference/server/http_server.h"
#include "reference/store/stores.h"

namespace cast::reference {

struct BackendOptions {
  ServerOptions server{.host = "127.0.0.1", .port = 8000, .threads = 0};
  PlatformOptions platform;
  StoreOptions stores;
  std::vector<FaultSpec> faults;
  std::optional<std::uint64_t> seed;  // empty: a random seed, logged
};

// Opens the stores, serves until SIGINT/SIGTERM, shuts down cleanly. Returns
// the process exit code: 0 after a signal, 3 when a store is unreachable,
// 1 when the port cannot be bound.
int run_backend(const BackendOptions& options);

}  // namespace cast::reference
