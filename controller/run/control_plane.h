#pragma once

#include <string>

#include "controller/config/run_config.h"
#include "controller/coordination/coordinator.h"

namespace cast::controller {

// The coordinator's settings for a run: the worker token (--token-file,
// else CAST_WORKER_TOKEN, else a random one for local workers), TLS
// material read from its files, admission and liveness limits. Throws
// ConfigError naming the file that cannot be read. The token is never logged.
controller::CoordinatorConfig control_plane_config(const RunConfig& config, std::size_t expected_workers);

// The secret in a token file: its content without trailing line breaks or
// spaces. Throws ConfigError for a file that cannot be read or is empty.
std::string read_token_file(const std::string& path);

}  // namespace cast::controller
