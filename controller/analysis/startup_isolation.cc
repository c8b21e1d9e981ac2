// Test case 1: every user got an agent of its own, quickly, that knows who
// it serves and remembers that user's context.

#include <nlohmann/json.hpp>

#include "controller/analysis/case_judges.h"
#include "controller/analysis/excerpt.h"

namespace cast::controller {
namespace {

using nlohmann::json;

std::string string_field(const json& frame, const char* key) {
  auto it = frame.find(key);
  return it != frame.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// A frame of `type` answering this user's own request: its request id has
// the user's prefix, or, with no request id, it names the user's agent.
std::optional<json> own_frame(const JudgeInput& input, const UserOutcome& user, const Observation& seen,
                              std::string_view type) {
  if (seen.payload.find(type) == std::string::npos) {
    return std::nullopt;
  }
  json frame = json::parse(seen.payload, nullptr, false);
  if (frame.is_discarded() || !frame.is_object() || string_field(frame, "type") != type) {
    return std::nullopt;
  }
  std::string request_id = seen.request_id.empty() ? string_field(frame, "request_id") : seen.request_id;
  bool own = request_id.empty() ? (seen.agent_id.empty() || seen.agent_id == user.agent_id)
                                : request_id.starts_with(input.request_prefix(user.index));
  return own ? std::optional<json>(std::move(frame)) : std::nullopt;
}

const Observation* agent_started_of(const JudgeInput& input, const UserOutcome& user, json& frame) {
  for (const Observation* seen : input.observations_by_user[user.index]) {
    if (auto own = own_frame(input, user, *seen, "agent_started")) {
      frame = std::move(*own);
      return seen;
    }
  }
  return nullptr;
}

Finding finding_at(const JudgeInput& input, FindingKind kind, const UserOutcome& observer, std::size_t owner,
                   const Observation* seen, const std::string& foreign) {
  Finding finding;
  finding.kind = kind;
  finding.test_case = TestCaseId::startup_isolation;
  finding.observer = input.user_name(observer.index);
  finding.owner = input.user_name(owner);
  finding.channel = seen != nullptr && seen->channel == ObservationChannel::rest ? "rest" : "ws";
  finding.where = "agent_started";
  if (seen != nullptr) {
    auto at = seen->payload.find(foreign);
    finding.excerpt = at == std::string::npos ? mark_excerpt(foreign, 0, foreign.size())
                                              : mark_excerpt(seen->payload, at, foreign.size());
    finding.t_s = static_cast<double>(seen->offset_us) / 1e6;
  } else {
    finding.excerpt = mark_excerpt(foreign, 0, foreign.size());
  }
  return finding;
}

Criterion unique_agent_ids(const JudgeInput& input, std::vector<Finding>& findings) {
  std::size_t started = 0, without_id = 0, duplicates = 0;
  for (const UserOutcome& user : input.record.users) {
    if (!user.start_us) {
      continue;
    }
    ++started;
    if (user.agent_id.empty()) {
      ++without_id;
      continue;
    }
    std::size_t holder = input.agent_holder.at(user.agent_id);
    if (holder != user.index) {
      ++duplicates;
      json frame;
      findings.push_back(finding_at(input, FindingKind::duplicate_agent_id, user, holder,
                                    agent_started_of(input, user, frame), user.agent_id));
    }
  }
  std::size_t distinct = started - without_id - duplicates;
  std::string observed = std::to_string(distinct) + " distinct / " + std::to_string(started) + " started";
  if (without_id > 0) {
    observed += ", " + std::to_string(without_id) + " without id";
  }
  auto criterion = make_criterion("unique_agent_ids", "= agents started", observed, static_cast<double>(distinct),
                                  distinct == started);
  if (without_id == 0) {
    soften_unless_strict(criterion, input.config);
  }
  return criterion;
}

Criterion identity_echo(const JudgeInput& input, std::vector<Finding>& findings) {
  std::size_t started = 0, echoed = 0, missing = 0;
  for (const UserOutcome& user : input.record.users) {
    if (!user.start_us) {
      continue;
    }
    ++started;
    json frame;
    const Observation* seen = agent_started_of(input, user, frame);
    std::string echoed_id = seen != nullptr ? string_field(frame, "user_id") : std::string{};
    if (seen == nullptr || echoed_id.empty()) {
      ++missing;
    } else if (echoed_id == input.user_name(user.index)) {
      ++echoed;
    } else {
      auto owner = input.index.by_user_id(echoed_id);
      auto finding =
          finding_at(input, FindingKind::identity_mismatch, user, owner.value_or(user.index), seen, echoed_id);
      finding.owner = owner ? finding.owner : echoed_id;
      findings.push_back(std::move(finding));
    }
  }
  std::string observed = ratio(echoed, started) + " echoed own user_id";
  if (missing > 0) {
    observed += ", " + std::to_string(missing) + " without agent_started user_id";
  }
  auto criterion =
      make_criterion("identity_echo", "= agents started", observed, static_cast<double>(echoed), echoed == started);
  if (missing == 0) {
    soften_unless_strict(criterion, input.config);
  }
  return criterion;
}

// The reference agent quotes the context it holds in every reply, so a
// reply without the user's canary means its agent lost or swapped context.
// A truncated reply without it proves nothing either way and is skipped.
Criterion context_intact(const JudgeInput& input) {
  std::size_t checked = 0, intact = 0;
  for (const UserOutcome& user : input.record.users) {
    if (!user.start_us || user.index >= input.planned.size()) {
      continue;
    }
    const std::string& canary = input.planned[user.index].canary;
    bool any = false, all = true;
    for (const Observation* seen : input.observations_by_user[user.index]) {
      if (!own_frame(input, user, *seen, "agent_response")) {
        continue;
      }
      bool quoted = seen->payload.find(canary) != std::string::npos;
      if (quoted || !seen->truncated) {
        any = true;
        all = all && quoted;
      }
    }
    checked += any ? 1 : 0;
    intact += any && all ? 1 : 0;
  }
  return make_criterion("context_intact", "all with replies", ratio(intact, checked) + " quote their own context",
                        static_cast<double>(intact), intact == checked);
}

Criterion max_startup(const JudgeInput& input) {
  std::int64_t worst_us = 0;
  std::size_t over = 0;
  auto limit_us = static_cast<std::int64_t>(input.config.max_agent_startup_s * 1e6);
  for (const UserOutcome& user : input.record.users) {
    if (user.start_us) {
      worst_us = std::max(worst_us, *user.start_us);
      over += *user.start_us >= limit_us ? 1 : 0;
    }
  }
  double worst_s = static_cast<double>(worst_us) / 1e6;
  return make_criterion("max_startup_s", "< " + fixed(input.config.max_agent_startup_s) + " s",
                        fixed(worst_s, 3) + " s (" + std::to_string(over) + " at or over)", worst_s, over == 0);
}

Criterion agents_started(const JudgeInput& input) {
  std::size_t started = 0;
  for (const UserOutcome& user : input.record.users) {
    started += user.start_us ? 1 : 0;
  }
  std::size_t planned = input.planned_users();
  return make_criterion("agents_started", "= " + std::to_string(planned) + " users", ratio(started, planned),
                        static_cast<double>(started), started == planned);
}

}  // namespace

TestCaseResult judge_startup_isolation(const JudgeInput& input, std::vector<Finding>& findings) {
  TestCaseResult result;
  result.id = TestCaseId::startup_isolation;
  result.title = title_of(result.id);
  result.criteria.push_back(unique_agent_ids(input, findings));
  result.criteria.push_back(identity_echo(input, findings));
  result.criteria.push_back(context_intact(input));
  result.criteria.push_back(max_startup(input));
  result.criteria.push_back(agents_started(input));
  return result;
}

}  // namespace cast::controller
