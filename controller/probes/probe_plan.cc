#include "controller/probes/probe_plan.h"

#include <algorithm>
#include <random>

namespace cast {
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
// attacker's own group while that group is at most half of the cycle.
std::vector<ProbePair> deal_victims(const Lineup& lineup, const std::vector<std::string>& worker_of_user) {
  std::vector<ProbePair> pairs;
  auto n = lineup.order.size();
  auto shift = lineup.groups == 1 ? 1 : lineup.largest_group;
  for (std::size_t i = 0; i < n; ++i) {
    auto attacker = lineup.order[i];
    for (std::size_t step = 0; step < n; ++step) {
      auto victim = lineup.order[(i + shift + step) % n];
      bool same_worker = worker_of_user[victim] == worker_of_user[attacker];
      if (victim != attacker && (lineup.groups == 1 || !same_worker)) {
        pairs.push_back({attacker, victim});
        break;
      }
    }
  }
  return pairs;
}

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
  return {v1::PROBE_WS_GET_STATE,   v1::PROBE_WS_UPDATE_STATE, v1::PROBE_REST_GET_STATE,
          v1::PROBE_REST_PUT_STATE, v1::PROBE_FORGED_REST,     v1::PROBE_FORGED_UPGRADE};
}

ProbePlanSet plan_probes(const std::vector<PlannedUser>& population, const std::vector<std::string>& worker_of_user,
                         const std::vector<std::string>& agent_of_user, std::uint64_t seed,
                         const std::vector<v1::ProbeKind>& kinds) {
  ProbePlanSet set;
  auto lineup = line_up(worker_of_user, agent_of_user, seed);
  if (lineup.order.size() < 2) {
    return set;
  }
  set.pairs = deal_victims(lineup, worker_of_user);
  std::vector<bool> reads_back(population.size(), false);
  for (const auto& pair : set.pairs) {
    auto& plan = set.attacks[worker_of_user[pair.attacker]];
    plan.set_round(1);
    auto* attack = plan.add_attacks();
    *attack->mutable_attacker() = probe_spec(population.at(pair.attacker));
    attack->set_victim_index(static_cast<std::uint32_t>(pair.victim));
    attack->set_victim_user_id(population.at(pair.victim).user_id);
    attack->set_victim_agent_id(agent_of_user[pair.victim]);
    for (auto kind : kinds) {
      attack->add_probes(kind);
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

}  // namespace cast
