#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cast::v1 {
class Event;
}

namespace cast {

// One PROBE_RESULT event as the judge reads it: what a worker tried and
// what the platform answered. No proto types, so the run loop can keep
// these next to its RunRecord.
struct ProbeResult {
  std::string worker_id;
  std::uint32_t actor_index{0};   // the attacker, or the owner for a read-back
  std::uint32_t target_index{0};  // the victim
  std::string probe;              // ws_get_state, rest_forged:alg_none, victim_readback, ...
  std::string channel;            // ws or rest
  std::string call;               // "GET /api/agents/a-1/state", "ws update_state", "ws upgrade /ws"
  int http_status{0};             // REST or upgrade status; 101 = upgrade granted; 0 = none
  std::string answer_type;        // WebSocket answer type
  std::string answer_code;        // WebSocket error code
  std::string payload;            // capped like every observation
  bool truncated{false};
  std::string request_id;
  std::string error_kind;         // why no answer came, or http_NNN
  std::string error_message;
  std::int64_t offset_us{0};      // since the worker's go, microseconds
  int forgery{0};                 // v1::ForgeryKind of a forged-token probe; 0 for the others
  bool forgery_full_strength{false};  // signed with the platform's key (or a real expired token)
};

// The result an event carries; nothing for any other kind of event.
std::optional<ProbeResult> probe_result_of(const std::string& worker_id, const v1::Event& event);

}  // namespace cast
