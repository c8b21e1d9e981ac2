#pragma once

// What a finding is evidence of. In code a kind is this enum, so that a
// check and the case judge or report reading its findings cannot drift
// apart by a rename; its name is a string only in reports (JSON `kind`,
// JUnit, console, HTML), where it must stay exactly as users' CI reads it.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cast::controller {

enum class FindingKind : std::uint8_t {
  // Test case 1: startup isolation.
  duplicate_agent_id,  // two users were handed one agent
  identity_mismatch,   // agent_started echoed another user's id
  // Test case 2: cross-contamination (the contamination scan).
  foreign_canary,  // another user's canary, verified by its HMAC
  forged_canary,   // a canary of this run whose HMAC does not verify
  foreign_user_id,
  foreign_profile,  // another user's email or display name
  foreign_agent_id,
  foreign_request_id,
  foreign_value,          // another user's identifying value of no other kind
  victim_data_in_denial,  // a refused probe's answer carried the victim's data
  // Test case 4: WebSocket scaling.
  misrouted_reply,  // a reply carried another user's request id or agent
  // Test case 5: state persistence isolation, the stores.
  unknown_row,
  wrong_owner_row,
  wrong_owner_message,
  missing_row,
  foreign_data_in_row,
  unknown_key,
  wrong_owner_key,
  foreign_data_in_key,
  unscoped_key,
  key_outside_prefix,
  unknown_metric,
  misattributed_metric,
  metric_count_mismatch,
  // Test case 5: the authorization probes.
  unauthorized_read,
  unauthorized_write,
  forged_token_accepted,
  denied_with_wrong_code,
  unauthorized_modification,
};

// Every kind, in declaration order.
std::span<const FindingKind> all_finding_kinds();

// The report name: the enumerator's own spelling ("foreign_canary", ...).
const char* to_string(FindingKind kind);
// The kind a report name stands for; empty for any other text.
std::optional<FindingKind> parse_finding_kind(std::string_view name);

}  // namespace cast::controller
