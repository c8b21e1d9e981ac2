#pragma once

#include <vector>

#include "controller/analysis/verdict.h"
#include "controller/plan/population.h"
#include "controller/probes/probe_result.h"

namespace cast::controller {

// Judges the probe phase. A probe passes when it was denied with the
// protocol's codes (WebSocket `error` not_found/unauthorized; REST 401 or
// 404; forged tokens 401, on REST and on the upgrade, except that a
// well-signed token naming someone else (victim_sub, other_tenant,
// other_run) may also get the owner check's 404) and the denial holds
// no victim data (canary, email, display name, user id). Findings:
//
//   unauthorized_read / unauthorized_write  the attacker's own token got the
//                            victim's state / had its patch accepted
//   forged_token_accepted    a forged token got past authentication (named
//                            in `where`); a REST 404 counts, since only an
//                            accepted token reaches the owner check
//   denied_with_wrong_code   refused, but not with the protocol's code
//   victim_data_in_denial    the refusal itself carried victim data
//   unauthorized_modification  the victim's read-back holds an attacker's
//                            `cast_probe` marker, even if that attacker was
//                            told "not found"
//
// All are test case `state_persistence` except victim_data_in_denial
// (`cross_contamination`). Observer is the attacker, owner the victim;
// both tenants are named.
// Probes that got no answer at all (timeouts) are not findings.
std::vector<Finding> judge_probes(const std::vector<PlannedUser>& population, const std::vector<ProbeResult>& results);

}  // namespace cast::controller
