#pragma once

// Inside analysis only: what every test case judge reads, and the judges.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/analysis/verdict.h"
#include "controller/config/run_config.h"
#include "controller/plan/population.h"
#include "controller/plan/population_index.h"

namespace cast::controller {

// The record indexed once for all judges.
struct JudgeInput {
  JudgeInput(const RunRecord& record, const RunConfig& config, const std::vector<PlannedUser>& planned);

  const RunRecord& record;
  const RunConfig& config;
  const std::vector<PlannedUser>& planned;
  PopulationIndex index;
  std::vector<std::vector<const Observation*>> observations_by_user;  // by user index
  std::unordered_map<std::string, std::size_t> agent_holder;          // agent id -> first user holding it

  // Planned user id of a user index, or "#<index>" for one outside the plan.
  std::string user_name(std::size_t user_index) const;
  const std::string& request_prefix(std::size_t user_index) const;
  std::size_t planned_users() const;
};

// A criterion with `observed` compared to `threshold`, both already text.
Criterion make_criterion(std::string name, std::string threshold, std::string observed, double value, bool passed);

// For a criterion that failed only because of findings: with strict
// isolation off it warns instead of failing its test case.
void soften_unless_strict(Criterion& criterion, const RunConfig& config);

// "12.35" with `digits` decimals.
std::string fixed(double value, int digits = 2);
// "98/100"
std::string ratio(std::size_t part, std::size_t whole);

TestCaseResult judge_startup_isolation(const JudgeInput& input, std::vector<Finding>& findings);
TestCaseResult judge_performance(const JudgeInput& input);
TestCaseResult judge_websocket_scaling(const JudgeInput& input, std::vector<Finding>& findings);
// Cases 2 and 5 from RunRecord::isolation; each adds its evidence to `findings`.
TestCaseResult judge_cross_contamination(const JudgeInput& input, std::vector<Finding>& findings);
TestCaseResult judge_state_persistence(const JudgeInput& input, std::vector<Finding>& findings);

// Why the harness, not the platform, was the bottleneck; empty when it was not.
std::vector<std::string> harness_invalid_reasons(const RunRecord& record, const RunConfig& config);

}  // namespace cast::controller
