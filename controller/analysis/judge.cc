#include "controller/analysis/judge.h"

#include <algorithm>
#include <chrono>

#include "common/stats/latency_samples.h"
#include "controller/analysis/case_judges.h"

namespace cast::controller {
namespace {

TestCaseResult not_evaluated(TestCaseId id, std::string note) {
  TestCaseResult result;
  result.id = id;
  result.title = title_of(id);
  result.verdict = CaseVerdict::not_evaluated;
  result.note = std::move(note);
  return result;
}

// A criterion fails its case unless it only warns (non-strict isolation).
void settle(TestCaseResult& result) {
  std::size_t failed = 0, warnings = 0;
  for (const Criterion& criterion : result.criteria) {
    failed += !criterion.passed && !criterion.warning ? 1 : 0;
    warnings += criterion.warning ? 1 : 0;
  }
  result.verdict = failed > 0 ? CaseVerdict::failed : CaseVerdict::passed;
  std::string total = std::to_string(result.criteria.size());
  result.note =
      failed > 0 ? std::to_string(failed) + " of " + total + " criteria failed" : "all " + total + " criteria passed";
  if (warnings > 0) {
    result.note += ", " + std::to_string(warnings) + " only warned (isolation not strict)";
  }
}

LatencySummaryMs startup_summary(const RunRecord& record) {
  LatencySamples samples;
  for (const UserOutcome& user : record.users) {
    if (user.start_us) {
      samples.add(std::chrono::microseconds{*user.start_us});
    }
  }
  return in_milliseconds(samples.summary());
}

void judge_cases(const JudgeInput& input, RunVerdict& verdict) {
  const RunConfig& config = input.config;
  const char* skipped_isolation = "not evaluated: --performance-only";
  auto& cases = verdict.test_cases;
  cases.push_back(config.performance_only ? not_evaluated(TestCaseId::startup_isolation, skipped_isolation)
                                          : judge_startup_isolation(input, verdict.findings));
  cases.push_back(config.performance_only ? not_evaluated(TestCaseId::cross_contamination, skipped_isolation)
                                          : judge_cross_contamination(input, verdict.findings));
  cases.push_back(config.isolation_only ? not_evaluated(TestCaseId::performance, "not evaluated: --isolation-only")
                                        : judge_performance(input));
  cases.push_back(judge_websocket_scaling(input, verdict.findings));
  cases.push_back(config.performance_only ? not_evaluated(TestCaseId::state_persistence, skipped_isolation)
                                          : judge_state_persistence(input, verdict.findings));
  for (TestCaseResult& result : cases) {
    if (!result.criteria.empty()) {
      settle(result);
    }
  }
}

}  // namespace

RunVerdict judge_run(const RunRecord& record, const RunConfig& config, const std::vector<PlannedUser>& planned) {
  JudgeInput input(record, config, planned);
  RunVerdict verdict;
  judge_cases(input, verdict);
  verdict.startup_ms = startup_summary(record);
  for (const UserOutcome& user : record.users) {
    verdict.harness_max_lag_ms =
        std::max(verdict.harness_max_lag_ms, static_cast<double>(user.max_schedule_lag_us) / 1000);
  }
  verdict.harness_start_skew_ms = static_cast<double>(record.start_skew_us) / 1000;
  verdict.invalid_reasons = harness_invalid_reasons(record, config);
  bool any_failed = std::any_of(verdict.test_cases.begin(), verdict.test_cases.end(),
                                [](const TestCaseResult& result) { return result.verdict == CaseVerdict::failed; });
  if (!verdict.invalid_reasons.empty()) {
    verdict.kind = RunVerdictKind::invalid;
  } else if (any_failed || (config.isolation_strict && !verdict.findings.empty())) {
    verdict.kind = RunVerdictKind::failed;
  }
  return verdict;
}

RunVerdict judge_unstarted_run(const RunRecord& record, const std::string& reason, int exit_code) {
  RunVerdict verdict;
  for (TestCaseId id : all_test_case_ids()) {
    verdict.test_cases.push_back(not_evaluated(id, "not evaluated: the run stopped before the go"));
  }
  verdict.startup_ms = startup_summary(record);
  mark_stopped(verdict, reason, exit_code);
  return verdict;
}

void mark_stopped(RunVerdict& verdict, const std::string& reason, int exit_code) {
  verdict.kind = RunVerdictKind::invalid;
  verdict.invalid_reasons.push_back(reason);
  verdict.stopped_exit_code = exit_code;
}

}  // namespace cast::controller
