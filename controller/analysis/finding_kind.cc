#include "controller/analysis/finding_kind.h"

#include <array>

#include "controller/analysis/report_name.h"

namespace cast::controller {
namespace {

constexpr std::array kAll{FindingKind::duplicate_agent_id,
                          FindingKind::identity_mismatch,
                          FindingKind::foreign_canary,
                          FindingKind::forged_canary,
                          FindingKind::foreign_user_id,
                          FindingKind::foreign_profile,
                          FindingKind::foreign_agent_id,
                          FindingKind::foreign_request_id,
                          FindingKind::foreign_value,
                          FindingKind::victim_data_in_denial,
                          FindingKind::misrouted_reply,
                          FindingKind::unknown_row,
                          FindingKind::wrong_owner_row,
                          FindingKind::wrong_owner_message,
                          FindingKind::missing_row,
                          FindingKind::foreign_data_in_row,
                          FindingKind::unknown_key,
                          FindingKind::wrong_owner_key,
                          FindingKind::foreign_data_in_key,
                          FindingKind::unscoped_key,
                          FindingKind::key_outside_prefix,
                          FindingKind::unknown_metric,
                          FindingKind::misattributed_metric,
                          FindingKind::metric_count_mismatch,
                          FindingKind::unauthorized_read,
                          FindingKind::unauthorized_write,
                          FindingKind::forged_token_accepted,
                          FindingKind::denied_with_wrong_code,
                          FindingKind::unauthorized_modification};

}  // namespace

std::span<const FindingKind> all_finding_kinds() { return kAll; }

const char* to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::duplicate_agent_id: return "duplicate_agent_id";
    case FindingKind::identity_mismatch: return "identity_mismatch";
    case FindingKind::foreign_canary: return "foreign_canary";
    case FindingKind::forged_canary: return "forged_canary";
    case FindingKind::foreign_user_id: return "foreign_user_id";
    case FindingKind::foreign_profile: return "foreign_profile";
    case FindingKind::foreign_agent_id: return "foreign_agent_id";
    case FindingKind::foreign_request_id: return "foreign_request_id";
    case FindingKind::foreign_value: return "foreign_value";
    case FindingKind::victim_data_in_denial: return "victim_data_in_denial";
    case FindingKind::misrouted_reply: return "misrouted_reply";
    case FindingKind::unknown_row: return "unknown_row";
    case FindingKind::wrong_owner_row: return "wrong_owner_row";
    case FindingKind::wrong_owner_message: return "wrong_owner_message";
    case FindingKind::missing_row: return "missing_row";
    case FindingKind::foreign_data_in_row: return "foreign_data_in_row";
    case FindingKind::unknown_key: return "unknown_key";
    case FindingKind::wrong_owner_key: return "wrong_owner_key";
    case FindingKind::foreign_data_in_key: return "foreign_data_in_key";
    case FindingKind::unscoped_key: return "unscoped_key";
    case FindingKind::key_outside_prefix: return "key_outside_prefix";
    case FindingKind::unknown_metric: return "unknown_metric";
    case FindingKind::misattributed_metric: return "misattributed_metric";
    case FindingKind::metric_count_mismatch: return "metric_count_mismatch";
    case FindingKind::unauthorized_read: return "unauthorized_read";
    case FindingKind::unauthorized_write: return "unauthorized_write";
    case FindingKind::forged_token_accepted: return "forged_token_accepted";
    case FindingKind::denied_with_wrong_code: return "denied_with_wrong_code";
    case FindingKind::unauthorized_modification: return "unauthorized_modification";
  }
  return "unknown_finding";
}

std::optional<FindingKind> parse_finding_kind(std::string_view name) {
  return parse_report_name(std::span<const FindingKind>{kAll}, name);
}

}  // namespace cast::controller
