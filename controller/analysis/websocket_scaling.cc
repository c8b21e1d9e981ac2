// Test case 4: every connection came up, every reply reached the user who
// asked for it, and no connection was dropped by the server.

#include <nlohmann/json.hpp>

#include "controller/analysis/case_judges.h"
#include "controller/analysis/excerpt.h"

namespace cast::controller {
namespace {

struct Routing {
  bool checked{false};
  bool misrouted{false};
  std::string foreign;  // the request id or agent id that is not the user's
  std::optional<std::size_t> owner;
};

// A reply is the user's own when its request id carries the user's prefix
// and its agent is the user's agent. Probe answers name a victim's agent on
// purpose, so only their request ids count here.
Routing route_of(const JudgeInput& input, const Observation& seen) {
  Routing routing;
  routing.checked = !seen.request_id.empty() || !seen.agent_id.empty();
  if (!seen.request_id.empty() && !seen.request_id.starts_with(input.request_prefix(seen.user_index))) {
    routing.misrouted = true;
    routing.foreign = seen.request_id;
    routing.owner = input.index.owner_of_request_id(seen.request_id);
    return routing;
  }
  if (seen.agent_id.empty() || seen.phase == "probe") {
    return routing;
  }
  const std::string* own =
      seen.user_index < input.record.users.size() ? &input.record.users[seen.user_index].agent_id : nullptr;
  auto holder = input.agent_holder.find(seen.agent_id);
  bool foreign = own != nullptr && !own->empty()
                     ? seen.agent_id != *own
                     : holder != input.agent_holder.end() && holder->second != seen.user_index;
  if (foreign) {
    routing.misrouted = true;
    routing.foreign = seen.agent_id;
    if (holder != input.agent_holder.end()) {
      routing.owner = holder->second;
    }
  }
  return routing;
}

std::string frame_type(const std::string& payload) {
  auto frame = nlohmann::json::parse(payload, nullptr, false);
  if (frame.is_object() && frame.contains("type") && frame["type"].is_string()) {
    return frame["type"].get<std::string>();
  }
  return "frame";
}

Finding misrouted_reply(const JudgeInput& input, const Observation& seen, const Routing& routing) {
  Finding finding;
  finding.kind = FindingKind::misrouted_reply;
  finding.test_case = TestCaseId::websocket_scaling;
  finding.observer = input.user_name(seen.user_index);
  finding.owner = routing.owner ? input.user_name(*routing.owner) : "unknown";
  finding.channel = seen.channel == ObservationChannel::rest ? "rest" : "ws";
  finding.where = frame_type(seen.payload) + " request_id=" + seen.request_id;
  auto at = seen.payload.find(routing.foreign);
  finding.excerpt = at == std::string::npos ? mark_excerpt(routing.foreign, 0, routing.foreign.size())
                                            : mark_excerpt(seen.payload, at, routing.foreign.size());
  finding.t_s = static_cast<double>(seen.offset_us) / 1e6;
  return finding;
}

Criterion replies_routed(const JudgeInput& input, std::vector<Finding>& findings) {
  std::size_t checked = 0, routed = 0;
  for (const Observation& seen : input.record.observations) {
    Routing routing = route_of(input, seen);
    if (!routing.checked) {
      continue;
    }
    ++checked;
    if (routing.misrouted) {
      findings.push_back(misrouted_reply(input, seen, routing));
    } else {
      ++routed;
    }
  }
  double share = checked > 0 ? 100.0 * static_cast<double>(routed) / static_cast<double>(checked) : 100.0;
  auto criterion = make_criterion("replies_routed", "= 100 %", fixed(share, 2) + " % (" + ratio(routed, checked) + ")",
                                  share, routed == checked);
  soften_unless_strict(criterion, input.config);
  return criterion;
}

// A cancelled user only cancels after its connection is up, so it counts
// as connected; it is never a missing connection.
Criterion connections_established(const JudgeInput& input) {
  std::size_t connected = 0;
  for (const UserOutcome& user : input.record.users) {
    connected += user.connect_us || user.cancelled ? 1 : 0;
  }
  std::size_t planned = input.planned_users();
  return make_criterion("connections_established", "= " + std::to_string(planned) + " users", ratio(connected, planned),
                        static_cast<double>(connected), connected == planned);
}

// A user cancelled on purpose ended its own connection; that is no drop.
Criterion unexpected_closes(const JudgeInput& input) {
  std::size_t closed = 0;
  for (const UserOutcome& user : input.record.users) {
    closed += user.closed_unexpectedly && !user.cancelled ? 1 : 0;
  }
  return make_criterion("unexpected_closes", "= 0", std::to_string(closed), static_cast<double>(closed), closed == 0);
}

}  // namespace

TestCaseResult judge_websocket_scaling(const JudgeInput& input, std::vector<Finding>& findings) {
  TestCaseResult result;
  result.id = TestCaseId::websocket_scaling;
  result.title = title_of(result.id);
  result.criteria.push_back(connections_established(input));
  result.criteria.push_back(replies_routed(input, findings));
  result.criteria.push_back(unexpected_closes(input));
  return result;
}

}  // namespace cast::controller
