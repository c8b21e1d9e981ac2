#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cast_control.pb.h"
#include "controller/plan/population.h"

namespace cast::controller {

struct ProbePair {
  std::size_t attacker{0};    // user index
  std::size_t victim{0};      // user index
  bool same_tenant{false};    // the victim is in the attacker's own tenant
  bool forged_tokens{false};  // this attack also sends the forged tokens (the sample, or every pair)
};

// The probe phase of one run, ready to send: round 1 (attacks) and round 2
// (victims' read-backs), one plan per worker id that has something to do.
struct ProbePlanSet {
  std::vector<ProbePair> pairs;
  std::map<std::string, v1::ProbePlan> attacks;    // round 1, by worker id
  std::map<std::string, v1::ProbePlan> readbacks;  // round 2, by worker id
};

// Every probe kind, in the order a worker runs them.
std::vector<v1::ProbeKind> all_probe_kinds();

// Attackers per worker and tenant crossing that send the forged tokens, by default.
inline constexpr std::size_t kDefaultForgeryAttackers = 8;

struct ProbePlanOptions {
  std::vector<v1::ProbeKind> kinds = all_probe_kinds();
  // Forged tokens test the platform's token checks, which are the same
  // whoever sends them, and are most of the probes (24 of the 28 of an
  // attack in the default scenario without the secret):
  // this many attackers of each worker and tenant crossing (victim in the
  // same tenant, in another) send them, of as many tenants as there are,
  // every forgery kind each. 0 = every attacker.
  std::size_t forgery_attackers = kDefaultForgeryAttackers;
};

// Gives every user that started an agent (non-empty `agent_of_user[i]`, on
// a known worker `worker_of_user[i]`) up to two victims among those users:
// one in its own tenant and one in another tenant, each on another worker
// whenever there is one (else on the attacker's own). A tenant with no
// other such user, or a run of one tenant, yields no victim of that kind.
// Other-tenant victims are dealt as a rotation of the users grouped by
// worker, so the attacks spread over the victims; same-tenant victims are
// the next member of the tenant. Every pair gets `options.kinds`, the
// forged-token kinds only the sample (`ProbePair::forged_tokens`). The same
// inputs and seed give the same plan.
ProbePlanSet plan_probes(const std::vector<PlannedUser>& population, const std::vector<std::string>& worker_of_user,
                         const std::vector<std::string>& agent_of_user, std::uint64_t seed = 0,
                         const ProbePlanOptions& options = {});

}  // namespace cast::controller
