#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "controller/report/run_report.h"

namespace cast::controller {

// The machine-readable report, `"schema": "cast.report/v1"`, laid out as
// controller/report/cast-report.schema.json describes. Findings and failed
// users are capped (the totals say how many there were).
nlohmann::json build_json_report(const RunReport& report);

// build_json_report as indented text; bytes that are not UTF-8 (a cut
// payload) are replaced rather than thrown about.
std::string render_json_report(const RunReport& report);

}  // namespace cast::controller
