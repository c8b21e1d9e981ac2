#pragma once

#include <iosfwd>

#include "controller/config/run_config.h"
#include "controller/report/progress_line.h"

namespace cast::controller {

// One `cast run`, phase by phase (design.md): plan the users, reach the
// platform, start the local workers and hand them their users, release
// everyone with one go, fold the event streams, judge, report, tear down.
// Returns the exit code of design.md. Reports go to the configured files
// and a summary to `console`, with live progress in `progress` style while
// the users run (quiet when config.quiet); every result collected is kept
// and reported even when the run ends early (platform unreachable, workers
// missing, interrupted), and the summary says why it ended.
int run_session(const RunConfig& config, std::ostream& console, ProgressStyle progress = ProgressStyle::plain);

}  // namespace cast::controller
