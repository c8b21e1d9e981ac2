#pragma once

#include <string>

namespace cast {

enum class LogLevel { quiet, info, debug };

// Configures the process-wide spdlog logger: console on stderr and, when
// `file` is not empty, the same lines appended to that file. Call once,
// from main, before any thread starts.
void init_logging(const std::string& process_name, LogLevel level, const std::string& file = {});

}  // namespace cast
