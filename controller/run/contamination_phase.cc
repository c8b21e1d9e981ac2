#include "controller/run/contamination_phase.h"

#include <spdlog/spdlog.h>

#include "common/identity/canary.h"
#include "controller/isolation/contamination_detector.h"

namespace cast::controller {

// The judge already checks each user's own agent_started echo, so the
// detector leaves that frame type to it.
void scan_for_contamination(RunRecord& record, const std::vector<PlannedUser>& users, const RunConfig& config,
                            const std::string& run_id, const std::string& run_key) {
  if (config.performance_only) return;
  DetectorOptions options;
  options.identity_echo_types = {"agent_state"};
  ContaminationDetector detector{options};
  auto report = detector.scan_with_notes(record, users, CanaryAuthority{run_id, run_key});
  auto& evidence = record.isolation;
  evidence.contamination_scanned = true;
  evidence.findings_cap = report.findings_cap;
  evidence.cross_contamination_payloads_past_cap = report.cross_contamination_payloads_past_cap;
  evidence.findings.insert(evidence.findings.end(), report.findings.begin(), report.findings.end());
  for (auto& note : report.notes) record.notes.push_back("contamination scan: " + note);
  spdlog::info("contamination scan: {} payloads, {} findings", report.payloads_scanned, report.findings.size());
}

}  // namespace cast::controller
