#pragma once

#include <optional>
#include <string>

namespace cast::controller {

// The whole content of a small /proc file, or nullopt when it cannot be
// read (the process is gone, or we may not look at it).
std::optional<std::string> read_proc_file(const std::string& path);

}  // namespace cast::controller
