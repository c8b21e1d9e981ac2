#pragma once

namespace cast::reference {

// Parses `cast-reference auth|backend ...` and runs the chosen service.
// Returns the exit code: 2 for bad usage, otherwise the service's own.
int run_command_line(int argc, char** argv);

}  // namespace cast::reference
