#pragma once

#include <string>

#include "controller/report/run_report.h"

namespace cast::controller {

// The report a person opens: one self-contained HTML page (inline CSS and
// SVG, no script, nothing fetched) in the console summary's order: the
// verdict and why, startup latency, the harness, each test case with its
// criteria, findings, then the run over time and the platform's resources.
// Everything the run observed is escaped; findings are grouped and capped
// so a 10,000-user run stays small.
std::string render_html_report(const RunReport& report);

}  // namespace cast::controller
