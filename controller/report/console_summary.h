#pragma once

#include <iosfwd>

#include "controller/report/run_report.h"

namespace cast::controller {

// The human summary at the end of a run, plain text for a 100-column
// terminal: the run's verdict, startup latency, every test case with each
// criterion's threshold, observed value and result, the first findings,
// why a run was invalid, and where the reports went (or why not).
void print_console_summary(std::ostream& out, const RunReport& report, const ReportOutcome& outcome);

}  // namespace cast::controller
