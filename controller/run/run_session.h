#pragma once

#include <iosfwd>

#include "controller/config/run_config.h"

namespace cast {

// One `cast run`, phase by phase (design.md): plan the users, reach the
// platform, start the local workers and hand them their users, release
// everyone with one go, fold the event streams, judge, report, tear down.
// Returns the exit code of design.md. Reports go to the configured files
// and a summary to `console`; every result collected is kept and reported
// even when the run ends early.
int run_session(const RunConfig& config, std::ostream& console);

}  // namespace cast
