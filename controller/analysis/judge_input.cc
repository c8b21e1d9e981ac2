#include <algorithm>
#include <cstdio>

#include "controller/analysis/case_judges.h"

namespace cast::controller {

JudgeInput::JudgeInput(const RunRecord& record_in, const RunConfig& config_in,
                       const std::vector<PlannedUser>& planned_in)
    : record(record_in), config(config_in), planned(planned_in), index(planned_in) {
  observations_by_user.resize(std::max(record.users.size(), planned.size()));
  for (const Observation& observation : record.observations) {
    if (observation.user_index < observations_by_user.size()) {
      observations_by_user[observation.user_index].push_back(&observation);
    }
  }
  for (const UserOutcome& user : record.users) {
    if (!user.agent_id.empty()) {
      agent_holder.emplace(user.agent_id, user.index);
    }
  }
}

std::string JudgeInput::user_name(std::size_t user_index) const {
  if (user_index < planned.size()) {
    return planned[user_index].user_id;
  }
  if (user_index < record.users.size() && !record.users[user_index].user_id.empty()) {
    return record.users[user_index].user_id;
  }
  return "#" + std::to_string(user_index);
}

const std::string& JudgeInput::request_prefix(std::size_t user_index) const {
  static const std::string none;
  return user_index < planned.size() ? planned[user_index].request_id_prefix : none;
}

std::size_t JudgeInput::planned_users() const {
  return record.users_planned > 0 ? record.users_planned : std::max(planned.size(), record.users.size());
}

Criterion make_criterion(std::string name, std::string threshold, std::string observed, double value, bool passed) {
  Criterion criterion;
  criterion.name = std::move(name);
  criterion.threshold = std::move(threshold);
  criterion.observed = std::move(observed);
  criterion.observed_value = value;
  criterion.passed = passed;
  return criterion;
}

void soften_unless_strict(Criterion& criterion, const RunConfig& config) {
  if (!criterion.passed && !config.isolation_strict) {
    criterion.warning = true;
  }
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string ratio(std::size_t part, std::size_t whole) { return std::to_string(part) + "/" + std::to_string(whole); }

}  // namespace cast::controller
