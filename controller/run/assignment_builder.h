#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cast_control.pb.h"
#include "controller/config/run_config.h"
#include "controller/plan/population.h"
#include "controller/run/platform_target.h"

namespace cast::controller {

// The assignment one worker receives: its users (canaries ready-made; the
// run key never leaves the controller), the targets, the scenario and the
// step timeouts. `scenario_text` is the scenario file's content, or empty
// for the built-in default.
v1::Assignment build_assignment(const std::string& run_id, const std::vector<PlannedUser>& population,
                                const std::vector<std::uint32_t>& user_indices, const PlatformEndpoints& target,
                                const RunConfig& config, const std::string& scenario_text);

}  // namespace cast::controller
