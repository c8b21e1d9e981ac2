#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/identity/canary.h"
#include "controller/analysis/run_record.h"
#include "controller/analysis/verdict.h"
#include "controller/isolation/payload_forms.h"
#include "controller/plan/population.h"

namespace cast::controller {

struct DetectorOptions {
  std::size_t max_findings{1000};  // distinct findings kept; further evidence is only counted in a note
  DecodeLimits decode;             // how deep to look into encoded payloads
  // Frames whose `user_id` must be the observer's. The judge's identity_echo
  // criterion already checks each user's own agent_started; drop it here
  // when both feed one verdict and the finding should appear once.
  std::vector<std::string> identity_echo_types{"agent_started", "agent_state"};
};

struct ContaminationReport {
  std::vector<Finding> findings;
  std::vector<std::string> notes;  // caps hit, canaries of other runs ignored, shared agent ids left to the judge
  std::uint64_t payloads_scanned{0};
  std::uint64_t bytes_scanned{0};  // raw payload bytes, decoded forms not counted
  // Past the cap of distinct findings (DetectorOptions::max_findings): the
  // cap, and how many payloads of test case 2's evidence it left unlisted.
  std::size_t findings_cap{0};
  std::size_t cross_contamination_payloads_past_cap{0};
};

// Test case 2 (and the identity echo of test case 1): every payload any
// user observed, scanned for what belongs to another user of the run.
//
// Per payload: the raw text and its decoded forms (payload_forms.h) go
// once each through one automaton over all users' user ids, emails,
// display names, request-id prefixes and agent ids, and through the linear
// canary scan, whose candidates the run key attributes. A value owned by
// someone other than the observer becomes a finding: foreign_canary,
// foreign_profile, foreign_agent_id, foreign_user_id, foreign_request_id
// (test case cross_contamination); a canary of this run with a bad tag or
// shape becomes forged_canary. Agent ids are not looked for in probe-phase
// answers, which name the victim's agent because the prober asked for it.
//
// Agent ids held by two users are left out of the automaton: the judge
// reports them as duplicate_agent_id, and either holder seeing the id is
// not evidence against the other.
class ContaminationDetector {
 public:
  explicit ContaminationDetector(DetectorOptions options = {}) : options_(std::move(options)) {}

  // `planned` is the population the record's user indices refer to;
  // `canaries` must hold the record's run id and key. Throws
  // std::invalid_argument when the run ids differ.
  std::vector<Finding> scan(const RunRecord& record, const std::vector<PlannedUser>& planned,
                            const CanaryAuthority& canaries) const;
  ContaminationReport scan_with_notes(const RunRecord& record, const std::vector<PlannedUser>& planned,
                                      const CanaryAuthority& canaries) const;

 private:
  DetectorOptions options_;
};

}  // namespace cast::controller
