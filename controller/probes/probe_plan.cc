#include "controller/probes/probe_plan.h"

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <utility>

namespace cast::controller {
namespace {

// Users able to take part, grouped by worker (groups in worker id order,
// each group shuffled by the seed), flattened.
struct Lineup {
  std::vector<std::size_t> order;
  std::size_t largest_group{0};
  std::size_t groups{0};
};

Lineup line_up(const std::vector<std::string>& worker_of_user, const std::vector<std::string>& agent_of_user,
               std::uint64_t seed) {
  std::map<std::string, std::vector<std::size_t>> by_worker;
  auto users = std::min(worker_of_user.size(), agent_of_user.size());
  for (std::size_t i = 0; i < users; ++i) {
    if (!worker_of_user[i].empty() && !agent_of_user[i].empty()) {
      by_worker[worker_of_user[i]].push_back(i);
    }
  }
  std::mt19937_64 dice(seed);
  Lineup lineup;
  lineup.groups = by_worker.size();
  for (auto& [worker, members] : by_worker) {
    std::shuffle(members.begin(), members.end(), dice);
    lineup.largest_group = std::max(lineup.largest_group, members.size());
    lineup.order.insert(lineup.order.end(), members.begin(), members.end());
  }
  return lineup;
}

// Shifting a worker-grouped cycle by the largest group never lands in the
// attacker's own group while that group is at most half of the cycle. The
// first pass also wants another worker; the second settles for any.
std::optional<std::size_t> other_tenant_victim(const Lineup& lineup, std::size_t position,
                                               const std::vector<PlannedUser>& population,
                                               const std::vector<std::string>& worker_of_user) {
  auto n = lineup.order.size();
  auto shift = lineup.groups == 1 ? 1 : lineup.largest_group;
  auto attacker = lineup.order[position];
  for (bool want_other_worker : {lineup.groups > 1, false}) {
    for (std::size_t step = 0; step < n; ++step) {
      auto victim = lineup.order[(position + shift + step) % n];
      bool same_worker = worker_of_user[victim] == worker_of_user[attacker];
      if (population[victim].tenant_id != population[attacker].tenant_id && !(want_other_worker && same_worker)) {
        return victim;
      }
    }
  }
  return std::nullopt;
}

// The next member of the attacker's tenant (in lineup order) on another
// worker, else simply the next member; none when the tenant has no other.
std::optional<std::size_t> same_tenant_victim(const std::vector<std::size_t>& members, std::size_t attacker,
                                              const std::vector<std::string>& worker_of_user) {
  auto m = members.size();
  if (m < 2) {
    return std::nullopt;
  }
  auto at = static_cast<std::size_t>(std::find(members.begin(), members.end(), attacker) - members.begin());
  for (std::size_t k = 1; k < m; ++k) {
    auto victim = members[(at + k) % m];
    if (worker_of_user[victim] != worker_of_user[attacker]) {
      return victim;
    }
  }
  return members[(at + 1) % m];
}

std::vector<ProbePair> deal_victims(const Lineup& lineup, const std::vector<PlannedUser>& population,
                                    const std::vector<std::string>& worker_of_user) {
  std::map<std::string, std::vector<std::size_t>> tenants;
  for (auto user : lineup.order) {
    tenants[population[user].tenant_id].push_back(user);
  }
  std::vector<ProbePair> pairs;
  for (std::size_t i = 0; i < lineup.order.size(); ++i) {
    auto attacker = lineup.order[i];
    if (auto victim = same_tenant_victim(tenants[population[attacker].tenant_id], attacker, worker_of_user)) {
      pairs.push_back({attacker, *victim, true});
    }
    if (auto victim = other_tenant_victim(lineup, i, population, worker_of_user)) {
      pairs.push_back({attacker, *victim, false});
    }
  }
  return pairs;
}

// Forged tokens test the platform's token checks, which do not depend on
// who sends them: `per_group` attackers of each worker and tenant crossing
// (same tenant, other tenant) carry them, of as many tenants as the sample
// allows, the first of each group in lineup order (seeded). 0 = every pair.
void sample_forgers(std::vector<ProbePair>& pairs, const std::vector<PlannedUser>& population,
                    const std::vector<std::string>& worker_of_user, std::size_t per_group) {
  if (per_group == 0) {
    for (auto& pair : pairs) pair.forged_tokens = true;
    return;
  }
  struct Group {
    std::size_t taken{0};
    std::set<std::string> tenants;
  };
  std::map<std::pair<std::string, bool>, Group> groups;
  // First a new tenant each, then any attacker until the group is full.
  for (bool new_tenant_only : {true, false}) {
    for (auto& pair : pairs) {
      auto& group = groups[{worker_of_user[pair.attacker], pair.same_tenant}];
      const auto& tenant = population[pair.attacker].tenant_id;
      if (pair.forged_tokens || group.taken >= per_group || (new_tenant_only && group.tenants.count(tenant) > 0)) {
        continue;
      }
      pair.forged_tokens = true;
      ++group.taken;
      group.tenants.insert(tenant);
    }
  }
}

bool is_forgery(v1::ProbeKind kind) { return kind == v1::PROBE_FORGED_REST || kind == v1::PROBE_FORGED_UPGRADE; }

v1::UserSpec probe_spec(const PlannedUser& user) {
  v1::UserSpec spec;
  spec.set_index(static_cast<std::uint32_t>(user.index));
  spec.set_user_id(user.user_id);
  spec.set_tenant_id(user.tenant_id);
  spec.set_email(user.profile.email);
  spec.set_display_name(user.profile.display_name);
  spec.set_request_id_prefix(user.request_id_prefix);
  return spec;
}

}  // namespace

std::vector<v1::ProbeKind> all_probe_kinds() {
  return {v1::PROBE_WS_GET_STATE,   v1::PROBE_WS_UPDATE_STATE, v1::PROBE_WS_MESSAGE,    v1::PROBE_REST_GET_STATE,
          v1::PROBE_REST_PUT_STATE, v1::PROBE_FORGED_REST,     v1::PROBE_FORGED_UPGRADE};
}

ProbePlanSet plan_probes(const std::vector<PlannedUser>& population, const std::vector<std::string>& worker_of_user,
                         const std::vector<std::string>& agent_of_user, std::uint64_t seed,
                         const ProbePlanOptions& options) {
  ProbePlanSet set;
  auto lineup = line_up(worker_of_user, agent_of_user, seed);
  if (lineup.order.size() < 2) {
    return set;
  }
  set.pairs = deal_victims(lineup, population, worker_of_user);
  sample_forgers(set.pairs, population, worker_of_user, options.forgery_attackers);
  std::vector<bool> reads_back(population.size(), false);
  for (const auto& pair : set.pairs) {
    auto& plan = set.attacks[worker_of_user[pair.attacker]];
    plan.set_round(1);
    auto* attack = plan.add_attacks();
    *attack->mutable_attacker() = probe_spec(population.at(pair.attacker));
    attack->set_victim_index(static_cast<std::uint32_t>(pair.victim));
    attack->set_victim_user_id(population.at(pair.victim).user_id);
    attack->set_victim_tenant_id(population.at(pair.victim).tenant_id);
    attack->set_victim_agent_id(agent_of_user[pair.victim]);
    for (auto kind : options.kinds) {
      if (pair.forged_tokens || !is_forgery(kind)) {
        attack->add_probes(kind);
      }
    }
    if (reads_back[pair.victim]) {
      continue;
    }
    reads_back[pair.victim] = true;
    auto& readbacks = set.readbacks[worker_of_user[pair.victim]];
    readbacks.set_round(2);
    auto* readback = readbacks.add_readbacks();
    *readback->mutable_owner() = probe_spec(population.at(pair.victim));
    readback->set_agent_id(agent_of_user[pair.victim]);
  }
  return set;
}

}  // namespace cast::controller
