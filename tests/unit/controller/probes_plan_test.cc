#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "controller/probes/probe_plan.h"

using namespace cast::controller;  // the code under test

namespace cast {
namespace {

std::vector<PlannedUser> population_of(std::size_t users, std::size_t per_tenant = 1) {
  return plan_population(
      {.run_id = "run-probes-plan", .run_key = std::string(32, 'k'), .users = users, .users_per_tenant = per_tenant});
}

std::vector<std::string> agents_for(std::size_t users) {
  std::vector<std::string> agents;
  for (std::size_t i = 0; i < users; ++i) {
    agents.push_back("agent-" + std::to_string(i));
  }
  return agents;
}

}  // namespace

TEST_CASE("probes: with two workers every victim is on the other worker and every user is attacked once") {
  auto users = population_of(10);
  std::vector<std::string> worker_of(10);
  for (std::size_t i = 0; i < 10; ++i) {
    worker_of[i] = i % 2 == 0 ? "w-a" : "w-b";
  }
  auto set = plan_probes(users, worker_of, agents_for(10), 42);
  REQUIRE(set.pairs.size() == 10);
  std::map<std::size_t, int> attacked;
  for (const auto& pair : set.pairs) {
    CHECK(worker_of[pair.attacker] != worker_of[pair.victim]);
    CHECK_FALSE(pair.same_tenant);  // a tenant each: no one shares one
    ++attacked[pair.victim];
  }
  CHECK(attacked.size() == 10);
  REQUIRE(set.attacks.size() == 2);
  CHECK(set.attacks.at("w-a").round() == 1);
  CHECK(set.attacks.at("w-a").attacks_size() == 5);
  const auto& first = set.attacks.at("w-a").attacks(0);
  CHECK(worker_of[first.attacker().index()] == "w-a");
  CHECK(first.attacker().user_id() == users[first.attacker().index()].user_id);
  CHECK(first.attacker().canary().empty());  // the worker needs no canary to attack
  CHECK(first.victim_agent_id() == "agent-" + std::to_string(first.victim_index()));
  CHECK(first.victim_tenant_id() == users[first.victim_index()].tenant_id);
  CHECK(first.probes_size() == static_cast<int>(all_probe_kinds().size()));
  CHECK(first.probes(2) == v1::PROBE_WS_MESSAGE);  // every channel the scenario may define
  // Read-backs are done by the victim's own worker, once per victim.
  std::size_t readbacks = 0;
  for (const auto& [worker, plan] : set.readbacks) {
    CHECK(plan.round() == 2);
    for (const auto& readback : plan.readbacks()) {
      CHECK(worker_of[readback.owner().index()] == worker);
      ++readbacks;
    }
  }
  CHECK(readbacks == 10);
}

TEST_CASE("probes: the plan is deterministic for a seed and varies with it") {
  auto users = population_of(12);
  std::vector<std::string> worker_of(12, "w-a");
  for (std::size_t i = 6; i < 12; ++i) {
    worker_of[i] = "w-b";
  }
  auto pairs_of = [&](std::uint64_t seed) {
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const auto& pair : plan_probes(users, worker_of, agents_for(12), seed).pairs) {
      pairs.emplace_back(pair.attacker, pair.victim);
    }
    return pairs;
  };
  CHECK(pairs_of(7) == pairs_of(7));
  bool varies = false;
  for (std::uint64_t seed = 8; seed < 16 && !varies; ++seed) {
    varies = pairs_of(seed) != pairs_of(7);
  }
  CHECK(varies);
}

TEST_CASE("probes: one worker attacks within itself and users without an agent take no part") {
  auto users = population_of(6);
  std::vector<std::string> worker_of(6, "w-only");
  auto agents = agents_for(6);
  agents[2].clear();
  auto set = plan_probes(users, worker_of, agents, 1);
  REQUIRE(set.pairs.size() == 5);
  std::set<std::size_t> victims;
  for (const auto& pair : set.pairs) {
    CHECK(pair.attacker != pair.victim);
    CHECK(pair.attacker != 2);
    CHECK(pair.victim != 2);
    victims.insert(pair.victim);
  }
  CHECK(victims.size() == 5);
  // In shared tenants the same users also attack within their tenant.
  auto shared = plan_probes(population_of(6, 4), worker_of, agents, 1);
  CHECK(shared.pairs.size() == 10);
  CHECK(plan_probes(users, worker_of, std::vector<std::string>(6), 1).pairs.empty());
}

TEST_CASE("probes: a worker holding most users still sends every attacker elsewhere") {
  auto users = population_of(6);
  std::vector<std::string> worker_of{"w-big", "w-big", "w-big", "w-big", "w-big", "w-small"};
  auto set = plan_probes(users, worker_of, agents_for(6), 3);
  REQUIRE(set.pairs.size() == 6);
  for (const auto& pair : set.pairs) {
    CHECK(worker_of[pair.attacker] != worker_of[pair.victim]);
  }
}

TEST_CASE(
    "probes: tenants of four, every attacker probes one victim in its tenant and one in another, each elsewhere") {
  auto users = population_of(12, 4);
  std::vector<std::string> worker_of(12);
  for (std::size_t i = 0; i < 12; ++i) {
    worker_of[i] = "w-" + std::to_string(i % 3);  // interleaved, as the split deals them
  }
  auto set = plan_probes(users, worker_of, agents_for(12), 5);
  REQUIRE(set.pairs.size() == 24);
  std::map<std::size_t, int> own_tenant, other_tenant;
  for (const auto& pair : set.pairs) {
    CAPTURE(pair.attacker);
    CHECK(pair.attacker != pair.victim);
    CHECK(worker_of[pair.attacker] != worker_of[pair.victim]);
    CHECK(pair.same_tenant == (users[pair.attacker].tenant_id == users[pair.victim].tenant_id));
    ++(pair.same_tenant ? own_tenant : other_tenant)[pair.attacker];
  }
  for (std::size_t i = 0; i < 12; ++i) {
    CHECK(own_tenant[i] == 1);
    CHECK(other_tenant[i] == 1);
  }
  for (const auto& [worker, plan] : set.attacks) {
    for (const auto& attack : plan.attacks()) {
      CHECK(attack.victim_tenant_id() == users[attack.victim_index()].tenant_id);
    }
  }
}

TEST_CASE("probes: one tenant for everyone leaves only same-tenant victims") {
  auto users = population_of(4, 10);
  std::vector<std::string> worker_of{"w-a", "w-b", "w-a", "w-b"};
  auto set = plan_probes(users, worker_of, agents_for(4), 2);
  REQUIRE(set.pairs.size() == 4);
  for (const auto& pair : set.pairs) {
    CHECK(pair.same_tenant);
    CHECK(worker_of[pair.attacker] != worker_of[pair.victim]);
  }
}

namespace {

bool sends_forgeries(const v1::ProbeAttack& attack) {
  for (auto kind : attack.probes()) {
    if (kind == v1::PROBE_FORGED_REST || kind == v1::PROBE_FORGED_UPGRADE) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("probes: forged tokens go with a sample per worker and tenant crossing, every other probe with all") {
  auto users = population_of(40, 4);  // ten tenants
  std::vector<std::string> worker_of(40);
  for (std::size_t i = 0; i < 40; ++i) {
    worker_of[i] = i % 2 == 0 ? "w-a" : "w-b";
  }
  auto set = plan_probes(users, worker_of, agents_for(40), 9, {.forgery_attackers = 3});
  REQUIRE(set.pairs.size() == 80);
  std::map<std::pair<std::string, bool>, std::set<std::string>> forging_tenants;
  std::size_t forging = 0;
  for (const auto& pair : set.pairs) {
    if (pair.forged_tokens) {
      ++forging;
      forging_tenants[{worker_of[pair.attacker], pair.same_tenant}].insert(users[pair.attacker].tenant_id);
    }
  }
  CHECK(forging == 12);  // 3 for each of 2 workers x 2 crossings
  REQUIRE(forging_tenants.size() == 4);
  for (const auto& [group, tenants] : forging_tenants) {
    CHECK(tenants.size() == 3);  // three attackers of three tenants
  }
  std::size_t i = 0, forging_attacks = 0;
  for (const auto& [worker, plan] : set.attacks) {
    for (const auto& attack : plan.attacks()) {
      bool forges = sends_forgeries(attack);
      forging_attacks += forges ? 1 : 0;
      CHECK(attack.probes_size() == static_cast<int>(all_probe_kinds().size()) - (forges ? 0 : 2));
      ++i;
    }
  }
  CHECK(i == 80);
  CHECK(forging_attacks == 12);
  // 0 = every attack; a group smaller than the sample forges whole.
  auto all = plan_probes(users, worker_of, agents_for(40), 9, {.forgery_attackers = 0});
  CHECK(std::all_of(all.pairs.begin(), all.pairs.end(), [](const ProbePair& p) { return p.forged_tokens; }));
  auto small = plan_probes(population_of(10), worker_of, agents_for(10), 9);
  CHECK(std::all_of(small.pairs.begin(), small.pairs.end(), [](const ProbePair& p) { return p.forged_tokens; }));
}

}  // namespace cast
