// Which connection each probe rides, seen from a tiny platform that records
// the connection of every request: the REST probes that present the
// attacker's own token share one keep-alive connection, every other
// credential has a connection of its own, a connection the platform closes
// never turns into a failed probe, and a read-back presents the token its
// user was granted in round 1 (a fresh one when the platform refuses it).
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/integration/worker/collecting_sink.h"
#include "tests/integration/worker/tiny_platform.h"
#include "worker/probe/probe_round.h"

namespace cast::test {
namespace {

using v1::ProbeKind;

constexpr std::uint32_t kAttacker = 0;
constexpr std::uint32_t kVictims[] = {7, 1};  // the attacker's tenant (t-0), another (t-1)

std::string agent_of(std::uint32_t user) { return "agent-" + std::to_string(user); }

// Grants "token-<user>-<n>" (n counts every grant), refuses every upgrade
// (the WebSocket probes are not what these cases look at), answers a
// user's read of its own agent with its state and everything else 404;
// `refused` is a token the platform no longer honours (401).
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

TinyRoutes probe_routes(std::shared_ptr<TokenCounter> tokens, int answers_per_connection, bool announce_close) {
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
    if (method == "GET" && target == "/api/agents/" + agent_of(kAttacker) + "/state" &&
        authorization.rfind("Bearer token-u-000000-", 0) == 0) {
      return {200, R"({"agent_id":"agent-0","state":{}})"};
    }
    return {404, R"({"error":"not_found"})"};
  };
  routes.accept_upgrade = [](const std::string&) { return false; };
  routes.answers_per_connection = answers_per_connection;
  routes.announce_close = announce_close;
  return routes;
}

worker::RunSetup setup_for(const TinyPlatform& platform) {
  v1::Assignment assignment;
  assignment.set_run_id("probe-connections");
  assignment.set_payload_cap_bytes(16 * 1024);
  assignment.mutable_targets()->set_auth_url(platform.http_url());
  assignment.mutable_targets()->set_backend_url(platform.http_url());
  assignment.mutable_targets()->set_ws_url(platform.ws_url());
  assignment.set_jwt_secret("tiny-secret");  // forgeries at full strength, no expiry to wait for
  return worker::run_setup_from(assignment);
}

v1::ProbePlan attack_plan(const std::vector<v1::UserSpec>& users) {
  v1::ProbePlan plan;
  plan.set_round(1);
  for (auto victim : kVictims) {
    auto* attack = plan.add_attacks();
    *attack->mutable_attacker() = users[kAttacker];
    attack->set_victim_index(victim);
    attack->set_victim_user_id(users[victim].user_id());
    attack->set_victim_tenant_id(users[victim].tenant_id());
    attack->set_victim_agent_id(agent_of(victim));
    for (auto kind : {v1::PROBE_REST_GET_STATE, v1::PROBE_REST_PUT_STATE, v1::PROBE_FORGED_REST}) {
      attack->add_probes(kind);
    }
  }
  return plan;
}

v1::ProbePlan readback_plan(const std::vector<v1::UserSpec>& users) {
  v1::ProbePlan plan;
  plan.set_round(2);
  auto* readback = plan.add_readbacks();
  *readback->mutable_owner() = users[kAttacker];
  readback->set_agent_id(agent_of(kAttacker));
  return plan;
}

std::vector<v1::Event> results_of(const CollectingSink& sink, ProbeKind kind) {
  std::vector<v1::Event> out;
  for (auto& event : sink.of_kind(v1::PROBE_RESULT)) {
    if (event.probe_kind() == kind) {
      out.push_back(event);
    }
  }
  return out;
}

// Requests per connection, and the credentials each connection presented.
struct ConnectionUse {
  std::map<int, std::vector<TinyRequest>> requests;
  std::map<int, std::set<std::string>> credentials;
};

ConnectionUse connection_use(const TinyPlatform& platform) {
  ConnectionUse use;
  for (const auto& request : platform.requests()) {
    use.requests[request.connection].push_back(request);
    use.credentials[request.connection].insert(request.authorization);
  }
  return use;
}

void check_one_identity_per_connection(const ConnectionUse& use) {
  // A named pair, not a structured binding: clang 14 (the TSan build)
  // cannot capture a binding in CAPTURE's lambda.
  for (const auto& entry : use.credentials) {
    const auto& connection = entry.first;
    CAPTURE(connection);
    CHECK(entry.second.size() == 1);
  }
}

// Every direct REST probe was judged on the platform's answer (404), none on a transport failure.
void check_direct_probes_answered(const CollectingSink& sink) {
  for (auto kind : {v1::PROBE_REST_GET_STATE, v1::PROBE_REST_PUT_STATE}) {
    auto results = results_of(sink, kind);
    CHECK(results.size() == 2);
    for (const auto& result : results) {
      CHECK(result.http_status() == 404);
      CHECK(result.error_kind() == "http_404");
    }
  }
}

}  // namespace

TEST_CASE("the attacker's own-token REST probes share one connection; each forged token rides its own") {
  auto tokens = std::make_shared<TokenCounter>();
  TinyPlatform platform{probe_routes(tokens, 1000, true)};
  auto users = make_user_specs(8, "probe-connections");
  auto setup = setup_for(platform);
  CollectingSink sink;
  worker::run_probe_round(setup, attack_plan(users), sink, std::chrono::steady_clock::now());
  check_direct_probes_answered(sink);
  auto use = connection_use(platform);
  check_one_identity_per_connection(use);
  std::size_t own_token_connections = 0;
  for (const auto& [connection, requests] : use.requests) {
    auto credential = *use.credentials[connection].begin();
    if (credential == "Bearer token-u-000000-1") {
      ++own_token_connections;
      CHECK(requests.size() == 4);  // read and write of both victims
    } else if (requests.front().target != "/auth/token") {
      CHECK(requests.size() == 1);  // a forgery, alone on its connection
    }
  }
  CHECK(own_token_connections == 1);
  auto forged = results_of(sink, v1::PROBE_FORGED_REST);
  CHECK(forged.size() >= 2 * 12);
  for (const auto& result : forged) {
    CHECK(result.http_status() == 404);
  }
}

TEST_CASE("connections the platform closes never fail a probe: after Connection: close, and closed silently") {
  bool announce_close = false;
  SUBCASE("Connection: close on every answer") { announce_close = true; }
  SUBCASE("a keep-alive answer, then the connection closed") { announce_close = false; }
  CAPTURE(announce_close);
  auto tokens = std::make_shared<TokenCounter>();
  TinyPlatform platform{probe_routes(tokens, 1, announce_close)};
  auto users = make_user_specs(8, "probe-connections");
  auto setup = setup_for(platform);
  CollectingSink sink;
  worker::run_probe_round(setup, attack_plan(users), sink, std::chrono::steady_clock::now());
  check_direct_probes_answered(sink);
  check_one_identity_per_connection(connection_use(platform));
  // Each probe reached the platform once: read and write of both victims with the own token.
  std::size_t own_token_requests = 0;
  for (const auto& request : platform.requests()) {
    own_token_requests += request.authorization == "Bearer token-u-000000-1" ? 1 : 0;
  }
  CHECK(own_token_requests == 4);
}

TEST_CASE("a read-back presents the token its user was granted in round 1, and a fresh one once that is refused") {
  bool refuse_kept = false;
  SUBCASE("the kept token still honoured") { refuse_kept = false; }
  SUBCASE("the kept token refused since") { refuse_kept = true; }
  CAPTURE(refuse_kept);
  auto tokens = std::make_shared<TokenCounter>();
  TinyPlatform platform{probe_routes(tokens, 1000, true)};
  auto users = make_user_specs(8, "probe-connections");
  auto setup = setup_for(platform);
  CollectingSink sink;
  worker::ProbeTokens kept;
  auto go = std::chrono::steady_clock::now();
  worker::run_probe_round(setup, attack_plan(users), sink, go, {.tokens = &kept});
  REQUIRE(kept.count(kAttacker) == 1);
  CHECK(kept.at(kAttacker) == "token-u-000000-1");
  if (refuse_kept) {
    tokens->refuse(kept.at(kAttacker));
  }
  worker::run_probe_round(setup, readback_plan(users), sink, go, {.tokens = &kept});
  auto readbacks = results_of(sink, v1::PROBE_READBACK);
  REQUIRE(readbacks.size() == 1);  // the refusal of the kept token is no result
  CHECK(readbacks[0].http_status() == 200);
  CHECK(readbacks[0].error_kind().empty());
  CHECK(tokens->granted == (refuse_kept ? 2 : 1));
  auto last = platform.requests().back();
  CHECK(last.target == "/api/agents/agent-0/state");
  CHECK(last.authorization == (refuse_kept ? "Bearer token-u-000000-2" : "Bearer token-u-000000-1"));
}

}  // namespace cast::test
