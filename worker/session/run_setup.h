#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/protocol/timeouts.h"
#include "worker/scenario/scenario.h"

namespace cast::v1 {
class Assignment;
}

namespace cast::worker {

struct StepTimeouts {
  // Each from its Scenario.*_timeout_ms; the shared default when that is 0.
  std::chrono::milliseconds token{defaults::kTokenTimeout};         // ms; token request
  std::chrono::milliseconds connect{defaults::kConnectTimeout};     // ms; TCP + TLS, then the upgrade
  std::chrono::milliseconds start{defaults::kAgentStartupTimeout};  // ms; start_agent -> agent_started
  std::chrono::milliseconds message{defaults::kMessageTimeout};     // ms; each message, state read and close
  std::chrono::milliseconds run{defaults::kRunTimeout};             // ms; go -> user finished
};

// Everything every user of a run shares.
struct RunSetup {
  std::string run_id;
  std::string auth_url{"http://127.0.0.1:8001"};
  std::string backend_url{"http://127.0.0.1:8000"};
  std::string ws_url{"ws://127.0.0.1:8000/ws"};
  bool insecure_tls{false};  // skip certificate verification for https/wss
  Scenario scenario{default_scenario()};
  StepTimeouts timeouts;
  std::size_t payload_cap_bytes{16 * 1024};  // observed payloads are cut to this, bytes
  std::size_t read_message_max{4 << 20};     // largest WebSocket message accepted, bytes
  double cancel_rate{0};                     // share of users, 0..1, that drop mid-request (--cancel-rate)
  // Load shapes: starts spread over `ramp` instead of one go; after its
  // session each user keeps its connection open for `hold`, sending one
  // message every `hold_interval`, before it closes.
  std::chrono::milliseconds ramp{0};
  std::chrono::milliseconds hold{0};
  std::chrono::milliseconds hold_interval{5'000};
  // The platform's JWT signing secret when the tester gave it; empty
  // otherwise. Only the probe phase's forgeries use it. Never logged.
  std::string jwt_secret;
};

// Throws ScenarioError for a bad scenario definition; zero timeouts and
// caps in the assignment keep the defaults above.
RunSetup run_setup_from(const cast::v1::Assignment& assignment);

}  // namespace cast::worker
