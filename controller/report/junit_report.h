#pragma once

#include <string>
#include <string_view>

#include "controller/report/run_report.h"

namespace cast::controller {

// JUnit XML for CI: a <testsuite> per test case, a <testcase> per criterion
// (classname = test case id, name = criterion); failed criteria carry a
// <failure> with threshold and observed value, not-evaluated cases and
// unmeasured criteria a <skipped/>. An extra `harness` suite holds one
// `run_valid` testcase that fails when the run was invalid, so an invalid
// run never looks green.
std::string render_junit_report(const RunReport& report);

// Text made safe for XML content and attribute values: & < > " ' escaped;
// control characters XML 1.0 cannot carry become '?'.
std::string xml_escape(std::string_view text);

}  // namespace cast::controller
