#pragma once

#include <string>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/analysis/verdict.h"
#include "controller/config/run_config.h"
#include "controller/plan/population.h"

namespace cast::controller {

// Judges a run: the five test cases of design.md with their criteria, the
// findings with evidence, and whether the run counts at all (invalid when
// the harness lagged, a worker's CPU saturated or a worker was lost).
// `planned` is the population the record's user indices refer to.
//
// Test cases 2 and 5 are reported as not evaluated until the isolation
// work fills them; --performance-only skips 1, 2 and 5, --isolation-only
// skips 3.
RunVerdict judge_run(const RunRecord& record, const RunConfig& config, const std::vector<PlannedUser>& planned);

// A run that ended before its go (platform unreachable, workers missing,
// interrupted while waiting): every test case not evaluated, the run invalid
// for `reason`, with `exit_code` (3 or 4).
RunVerdict judge_unstarted_run(const RunRecord& record, const std::string& reason, int exit_code);

// A run judged on what it collected that then stopped for `reason` (a store
// unreachable afterwards, an interruption): it counts as invalid, `exit_code`.
void mark_stopped(RunVerdict& verdict, const std::string& reason, int exit_code);

}  // namespace cast::controller
