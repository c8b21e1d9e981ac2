#pragma once

// One attacker (user 0) against two victims on a tiny platform that records
// the connection of every request, for the cases that look at which
// connection and which token each probe rides (probe_connections_test,
// probe_kept_test). Header-only: those two include it.

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/integration/worker/collecting_sink.h"
#include "tests/integration/worker/tiny_platform.h"
#include "worker/probe/probe_round.h"

namespace cast::test {

inline constexpr std::uint32_t kAttacker = 0;
inline constexpr std::uint32_t kVictims[] = {7, 1};  // the attacker's tenant (t-0), another (t-1)

inline std::string agent_of(std::uint32_t user) { return "agent-" + std::to_string(user); }

// Grants "token-<user>-<n>" (n counts every grant); `refused` is a token
// the platform no longer honours (401), and `honoured` one it takes besides
// those it granted (a session's).
class TokenCounter {
 public:
  std::atomic<int> granted{0};
  void refuse(std::string token) {
    std::lock_guard lock(mutex_);
    refused_ = std::move(token);
  }
  bool refused(const std::string& authorization) const {
    std::lock_guard lock(mutex_);
    return !refused_.empty() && authorization == "Bearer " + refused_;
  }

 private:
  mutable std::mutex mutex_;  // set by the test, read on the platform's threads
  std::string refused_;
};

// Refuses every upgrade (the WebSocket probes are not what the REST cases
// look at), answers the attacker's read of its own agent with its state and
// everything else 404.
inline TinyRoutes probe_routes(std::shared_ptr<TokenCounter> tokens, int answers_per_connection, bool announce_close) {
  TinyRoutes routes;
  routes.http = [tokens](const std::string& method, const std::string& target, const std::string& authorization,
                         const std::string& body) -> TinyAnswer {
    if (method == "POST" && target == "/auth/token") {
      auto user = nlohmann::json::parse(body).at("user_id").get<std::string>();
      return {200, nlohmann::json{{"access_token", "token-" + user + "-" + std::to_string(++tokens->granted)}}.dump()};
    }
    if (tokens->refused(authorization)) {
      return {401, R"({"error":"unauthorized"})"};
    }
    bool own = authorization.rfind("Bearer token-u-000000-", 0) == 0 || authorization == "Bearer session-0";
    if (method == "GET" && target == "/api/agents/" + agent_of(kAttacker) + "/state" && own) {
      return {200, R"({"agent_id":"agent-0","state":{}})"};
    }
    return {404, R"({"error":"not_found"})"};
  };
  routes.accept_upgrade = [](const std::string&) { return false; };
  routes.answers_per_connection = answers_per_connection;
  routes.announce_close = announce_close;
  return routes;
}

inline worker::RunSetup setup_for(const TinyPlatform& platform) {
  v1::Assignment assignment;
  assignment.set_run_id("probe-connections");
  assignment.set_payload_cap_bytes(16 * 1024);
  assignment.mutable_targets()->set_auth_url(platform.http_url());
  assignment.mutable_targets()->set_backend_url(platform.http_url());
  assignment.mutable_targets()->set_ws_url(platform.ws_url());
  assignment.set_jwt_secret("tiny-secret");  // forgeries at full strength, no expiry to wait for
  return worker::run_setup_from(assignment);
}

inline v1::ProbePlan attack_plan(const std::vector<v1::UserSpec>& users,
                                 std::vector<v1::ProbeKind> kinds = {v1::PROBE_REST_GET_STATE, v1::PROBE_REST_PUT_STATE,
                                                                     v1::PROBE_FORGED_REST}) {
  v1::ProbePlan plan;
  plan.set_round(1);
  for (auto victim : kVictims) {
    auto* attack = plan.add_attacks();
    *attack->mutable_attacker() = users[kAttacker];
    attack->set_victim_index(victim);
    attack->set_victim_user_id(users[victim].user_id());
    attack->set_victim_tenant_id(users[victim].tenant_id());
    attack->set_victim_agent_id(agent_of(victim));
    for (auto kind : kinds) {
      attack->add_probes(kind);
    }
  }
  return plan;
}

inline v1::ProbePlan readback_plan(const std::vector<v1::UserSpec>& users) {
  v1::ProbePlan plan;
  plan.set_round(2);
  auto* readback = plan.add_readbacks();
  *readback->mutable_owner() = users[kAttacker];
  readback->set_agent_id(agent_of(kAttacker));
  return plan;
}

inline std::vector<v1::Event> results_of(const CollectingSink& sink, v1::ProbeKind kind) {
  std::vector<v1::Event> out;
  for (auto& event : sink.of_kind(v1::PROBE_RESULT)) {
    if (event.probe_kind() == kind) {
      out.push_back(event);
    }
  }
  return out;
}

inline std::size_t requests_with(const TinyPlatform& platform, const std::string& authorization) {
  std::size_t count = 0;
  for (const auto& request : platform.requests()) {
    count += request.authorization == authorization ? 1 : 0;
  }
  return count;
}

// The platform, the run's users and setup, and what the probes reported.
struct ProbeRig {
  explicit ProbeRig(TinyRoutes routes, std::shared_ptr<TokenCounter> counter = std::make_shared<TokenCounter>())
      : tokens(std::move(counter)), platform(std::move(routes)) {}
  static ProbeRig rest(int answers_per_connection = 1000, bool announce_close = true) {
    auto counter = std::make_shared<TokenCounter>();
    return ProbeRig{probe_routes(counter, answers_per_connection, announce_close), counter};
  }
  worker::ProbePhase phase(worker::ProbeTokens held = {}) {
    return worker::ProbePhase{setup, sink, std::chrono::steady_clock::now(), std::move(held)};
  }

  std::shared_ptr<TokenCounter> tokens;
  TinyPlatform platform;
  std::vector<v1::UserSpec> users = make_user_specs(8, "probe-connections");
  worker::RunSetup setup = setup_for(platform);
  CollectingSink sink;
};

}  // namespace cast::test
