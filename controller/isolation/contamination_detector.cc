#include "controller/isolation/contamination_detector.h"

#include <stdexcept>
#include <unordered_map>

#include "controller/isolation/finding_tally.h"
#include "controller/isolation/identifying_values.h"
#include "controller/isolation/observation_scanner.h"
#include "controller/plan/population_index.h"

namespace cast::controller {
namespace {

void add_planned_values(IdentifyingValues::Builder& values, const std::vector<PlannedUser>& planned) {
  for (const PlannedUser& user : planned) {
    auto owner = static_cast<std::uint32_t>(user.index);
    values.add(user.user_id, owner, ValueKind::user_id);
    values.add(user.profile.email, owner, ValueKind::email);
    values.add(user.profile.display_name, owner, ValueKind::display_name);
    values.add(user.request_id_prefix, owner, ValueKind::request_id);
  }
}

// Returns how many agent ids were left out because several users hold them.
std::size_t add_agent_ids(IdentifyingValues::Builder& values, const RunRecord& record) {
  std::unordered_map<std::string_view, std::size_t> holders;
  for (const UserOutcome& user : record.users) {
    if (!user.agent_id.empty()) {
      ++holders[user.agent_id];
    }
  }
  std::size_t shared = 0;
  for (const UserOutcome& user : record.users) {
    if (user.agent_id.empty()) {
      continue;
    }
    if (holders[user.agent_id] == 1) {
      values.add(user.agent_id, user.index, ValueKind::agent_id);
    } else {
      ++shared;
    }
  }
  return shared;
}

std::vector<std::string> counter_notes(const ScanCounters& counters, std::size_t shared_agent_ids) {
  std::vector<std::string> notes;
  if (counters.wrong_run_canaries > 0) {
    notes.push_back(std::to_string(counters.wrong_run_canaries) +
                    " canaries of another run ignored (not this run's to judge), e.g. " + counters.first_wrong_run);
  }
  if (counters.cut_canaries > 0) {
    notes.push_back(std::to_string(counters.cut_canaries) +
                    " incomplete canaries were cut by the harness (capture cap, broken base64 run) and not attributed");
  }
  if (shared_agent_ids > 0) {
    notes.push_back(std::to_string(shared_agent_ids) +
                    " users hold an agent id another user holds too; those ids are judged as duplicate_agent_id, "
                    "not searched for in payloads");
  }
  return notes;
}

}  // namespace

ContaminationReport ContaminationDetector::scan_with_notes(const RunRecord& record,
                                                           const std::vector<PlannedUser>& planned,
                                                           const CanaryAuthority& canaries) const {
  if (!record.run_id.empty() && record.run_id != canaries.run_id()) {
    throw std::invalid_argument("contamination scan: the record is of run '" + record.run_id +
                                "' but the canary key is of run '" + canaries.run_id() + "'");
  }
  PopulationIndex index(planned);
  IdentifyingValues::Builder builder;
  add_planned_values(builder, planned);
  std::size_t shared_agent_ids = add_agent_ids(builder, record);
  const IdentifyingValues values = builder.build();

  FindingTally tally(options_.max_findings);
  ScanCounters counters;
  ObservationScanner scanner(ScanContext{planned, canaries, index, values, options_}, tally, counters);
  for (const Observation& seen : record.observations) {
    scanner.scan(seen);
  }
  ContaminationReport report;
  report.findings = tally.findings();
  report.notes = tally.notes();
  for (std::string& note : counter_notes(counters, shared_agent_ids)) {
    report.notes.push_back(std::move(note));
  }
  report.findings_cap = tally.max_distinct();
  report.cross_contamination_payloads_past_cap = tally.payloads_past_cap(TestCaseId::cross_contamination);
  report.payloads_scanned = counters.payloads;
  report.bytes_scanned = counters.bytes;
  return report;
}

std::vector<Finding> ContaminationDetector::scan(const RunRecord& record, const std::vector<PlannedUser>& planned,
                                                 const CanaryAuthority& canaries) const {
  return scan_with_notes(record, planned, canaries).findings;
}

}  // namespace cast::controller
