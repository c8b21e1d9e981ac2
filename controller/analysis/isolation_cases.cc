// Test cases 2 and 5: judged from the findings of the isolation checks that
// ran after the sessions (detector, probes, validators). A check that did
// not run leaves its criterion out; a case with no check run at all is
// "not evaluated", never silently passed.
#include "controller/analysis/case_judges.h"

namespace cast::controller {
namespace {

bool is_store_channel(const std::string& channel) {
  return channel == "postgres" || channel == "redis" || channel == "clickhouse";
}

// "zero findings" as a criterion, with the findings it counted added to
// the run's evidence.
Criterion no_findings(const JudgeInput& input, const std::string& name, std::size_t count) {
  auto criterion =
      make_criterion(name, "= 0 findings", std::to_string(count) + " findings", static_cast<double>(count), count == 0);
  soften_unless_strict(criterion, input.config);
  return criterion;
}

TestCaseResult start_case(TestCaseId id) {
  TestCaseResult result;
  result.id = id;
  result.title = title_of(id);
  result.verdict = CaseVerdict::not_evaluated;
  return result;
}

}  // namespace

TestCaseResult judge_cross_contamination(const JudgeInput& input, std::vector<Finding>& findings) {
  auto result = start_case(TestCaseId::cross_contamination);
  const IsolationEvidence& evidence = input.record.isolation;
  if (!evidence.contamination_scanned) {
    result.note = "not evaluated: no contamination scan ran";
    return result;
  }
  std::size_t count = 0;
  for (const Finding& f : evidence.findings) {
    if (f.test_case != TestCaseId::cross_contamination) continue;
    ++count;
    findings.push_back(f);
  }
  auto criterion = no_findings(input, "foreign_data_seen", count);
  if (evidence.cross_contamination_payloads_past_cap > 0) {
    // The listed findings stop at the cap; say so rather than show the cap
    // as if it were the count.
    criterion.observed = "at least " + criterion.observed + " (listing capped at " +
                         std::to_string(evidence.findings_cap) + " distinct; " +
                         std::to_string(evidence.cross_contamination_payloads_past_cap) +
                         " more payloads with evidence)";
  }
  result.criteria.push_back(criterion);
  return result;
}

TestCaseResult judge_state_persistence(const JudgeInput& input, std::vector<Finding>& findings) {
  auto result = start_case(TestCaseId::state_persistence);
  const IsolationEvidence& evidence = input.record.isolation;
  std::size_t in_stores = 0, through_api = 0;
  for (const Finding& f : evidence.findings) {
    if (f.test_case != TestCaseId::state_persistence) continue;
    (is_store_channel(f.channel) ? in_stores : through_api) += 1;
    findings.push_back(f);
  }
  if (evidence.probes_run) {
    auto probes = no_findings(input, "authorization_probes", through_api);
    probes.observed += " in " + std::to_string(evidence.probes) + " probes";
    result.criteria.push_back(probes);
    // Half the checks never running is no pass: a worker lost mid-phase
    // leaves the case incomplete, whatever the other half found.
    if (!evidence.probe_gaps.empty()) {
      result.criteria.push_back(make_criterion("probe_phase_complete", "every planned probe step ran",
                                               std::to_string(evidence.probe_steps_missing) + " of " +
                                                   std::to_string(evidence.probe_steps_planned) +
                                                   " steps never ran (incomplete: " + evidence.probe_gaps.front() + ")",
                                               static_cast<double>(evidence.probe_steps_missing), false));
    }
  }
  if (evidence.persistence_checked) {
    result.criteria.push_back(no_findings(input, "stored_data_ownership", in_stores));
  }
  if (result.criteria.empty()) {
    result.note = evidence.persistence_note.empty() ? "not evaluated: no probe or store check ran"
                                                    : "not evaluated: " + evidence.persistence_note;
  }
  return result;
}

}  // namespace cast::controller
