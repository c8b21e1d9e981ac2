#pragma once

#include <vector>

#include "controller/analysis/verdict.h"
#include "controller/probes/probe_result.h"

namespace cast::controller {

// One entry per forgery kind the protocol knows, from the probe results:
// which ran at full strength, which only under a random key because the
// platform's signing secret was not given, and which could not run at all
// (with the reason), so that a weaker probe is never passed off as a full one.
std::vector<ForgeryCoverage> forgery_coverage(const std::vector<ProbeResult>& results, bool secret_known);

}  // namespace cast::controller
