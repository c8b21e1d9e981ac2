#include "worker/session/run_setup.h"

#include <algorithm>

#include "cast_control.pb.h"

namespace cast::worker {
namespace {

void take_timeout(std::uint32_t milliseconds, std::chrono::milliseconds& into) {
  if (milliseconds > 0) {
    into = std::chrono::milliseconds{milliseconds};
  }
}

}  // namespace

RunSetup run_setup_from(const cast::v1::Assignment& assignment) {
  RunSetup setup;
  setup.run_id = assignment.run_id();
  const auto& targets = assignment.targets();
  setup.auth_url = targets.auth_url();
  setup.backend_url = targets.backend_url();
  setup.ws_url = targets.ws_url();
  setup.insecure_tls = targets.insecure_tls();
  const auto& scenario = assignment.scenario();
  if (!scenario.definition().empty()) {
    setup.scenario = parse_scenario(scenario.definition());
  }
  take_timeout(scenario.token_timeout_ms(), setup.timeouts.token);
  take_timeout(scenario.connect_timeout_ms(), setup.timeouts.connect);
  take_timeout(scenario.start_timeout_ms(), setup.timeouts.start);
  take_timeout(scenario.message_timeout_ms(), setup.timeouts.message);
  take_timeout(scenario.run_timeout_ms(), setup.timeouts.run);
  // Out-of-range rates are clamped rather than refused: the controller
  // validated the setting, and a worker must not die of a rounding slip.
  setup.cancel_rate = std::clamp(scenario.cancel_rate(), 0.0, 1.0);
  setup.ramp = std::chrono::milliseconds{scenario.ramp_ms()};
  setup.hold = std::chrono::milliseconds{scenario.hold_ms()};
  take_timeout(scenario.hold_interval_ms(), setup.hold_interval);
  setup.jwt_secret = assignment.jwt_secret();
  if (assignment.payload_cap_bytes() > 0) {
    setup.payload_cap_bytes = assignment.payload_cap_bytes();
  }
  return setup;
}

}  // namespace cast::worker
