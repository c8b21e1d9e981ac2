#pragma once

#include <string>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/config/run_config.h"
#include "controller/plan/population.h"

namespace cast::controller {

// Test case 2's evidence, once the sessions are over: every payload any
// user saw, scanned for what belongs to someone else; the findings and
// notes go into `record` (nothing with --performance-only). A phase of its
// own beside PersistencePhase, so that run_session only orders the phases.
void scan_for_contamination(RunRecord& record, const std::vector<PlannedUser>& users, const RunConfig& config,
                            const std::string& run_id, const std::string& run_key);

}  // namespace cast::controller
