#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cast::v1 {
class Event;
}

namespace cast::controller {

// What a probe tried, as the judge tells them apart.
enum class ProbeKind {
  unknown,            // a kind this controller does not know: kept, never judged
  ws_get_state,       // the scenario's state read on the victim's agent, attacker's own token
  ws_update_state,    // the scenario's state write with the attacker's marker
  ws_message,         // the scenario's message to the victim's agent
  rest_get_state,     // REST state read, attacker's token
  rest_put_state,     // REST state write of the marker, attacker's token
  rest_forged,        // REST state read with a forged token
  ws_upgrade_forged,  // WebSocket upgrade with a forged token
  token,              // the prober's own token request failed
  ws_connect,         // the prober's own WebSocket did not open
  readback,           // round 2: the victim reads its own state back
};

// One PROBE_RESULT event as the judge reads it: what a worker tried and
// what the platform answered. No proto types, so the run loop can keep
// these next to its RunRecord.
struct ProbeResult {
  std::string worker_id;
  std::uint32_t actor_index{0};   // the attacker, or the owner for a read-back
  std::uint32_t target_index{0};  // the victim
  ProbeKind kind{ProbeKind::unknown};
  std::string channel;      // ws or rest
  std::string call;         // "GET /api/agents/a-1/state", "ws agent_state", "ws upgrade /ws"
  int http_status{0};       // REST or upgrade status; 101 = upgrade granted; 0 = none
  std::string answer_type;  // WebSocket answer type
  std::string answer_code;  // WebSocket refusal code
  std::string payload;      // capped like every observation
  std::string head;         // HTTP status line and header fields, capped
  bool truncated{false};
  std::string request_id;
  std::string error_kind;  // why no answer came, http_NNN, or error_reply for a WebSocket refusal
  std::string error_message;
  std::int64_t offset_us{0};          // since the worker's go, microseconds
  int forgery{0};                     // v1::ForgeryKind of a forged-token probe; 0 for the others
  bool forgery_full_strength{false};  // signed with the platform's key (or a real expired token)
};

// How reports name a probe: "ws_get_state", "rest_forged:alg_none",
// "victim_readback", ... (these strings are part of the report format).
std::string probe_label(const ProbeResult& result);

// The result an event carries; nothing for any other kind of event.
std::optional<ProbeResult> probe_result_of(const std::string& worker_id, const v1::Event& event);

}  // namespace cast::controller
