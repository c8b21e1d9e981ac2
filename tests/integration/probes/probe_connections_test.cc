// Which connection and which token each REST probe rides, seen from a tiny
// platform that records the connection of every request: the REST probes
// that present the attacker's own token share one keep-alive connection,
// every other credential has a connection of its own, a connection the
// platform closes never turns into a failed probe, and a user presents the
// token it already holds (its session's, round 1's) until the platform
// refuses it, then a fresh one.
#include "tests/integration/probes/probe_rig.h"

namespace cast::test {
namespace {

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

// Every direct REST probe was judged on the platform's answer (404), none
// on a transport failure or a refused held token.
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

// The attack round alone, the attacker holding no token.
void attack(ProbeRig& rig) {
  worker::run_probe_round(rig.setup, attack_plan(rig.users), rig.sink, std::chrono::steady_clock::now());
  check_direct_probes_answered(rig.sink);
  check_one_identity_per_connection(connection_use(rig.platform));
}

}  // namespace

TEST_CASE("the attacker's own-token REST probes share one connection; each forged token rides its own") {
  auto rig = ProbeRig::rest();
  attack(rig);
  auto use = connection_use(rig.platform);
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
  auto forged = results_of(rig.sink, v1::PROBE_FORGED_REST);
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
  auto rig = ProbeRig::rest(1, announce_close);
  attack(rig);
  // Each probe reached the platform once: read and write of both victims with the own token.
  CHECK(requests_with(rig.platform, "Bearer token-u-000000-1") == 4);
}

TEST_CASE("an attacker presents the token its session was granted, and a fresh one once that is refused") {
  bool refuse_held = false;
  SUBCASE("the session's token still honoured") { refuse_held = false; }
  SUBCASE("the session's token refused since") { refuse_held = true; }
  CAPTURE(refuse_held);
  auto rig = ProbeRig::rest();
  if (refuse_held) {
    rig.tokens->refuse("session-0");
  }
  {
    auto phase = rig.phase({{kAttacker, "session-0"}});
    phase.run_round(attack_plan(rig.users));
    CHECK(phase.tokens().at(kAttacker) == (refuse_held ? "token-u-000000-1" : "session-0"));
  }
  check_direct_probes_answered(rig.sink);  // the refusal of the held token is no result
  check_one_identity_per_connection(connection_use(rig.platform));
  CHECK(rig.tokens->granted == (refuse_held ? 1 : 0));
  // Refused, the held token was presented once; else for all four direct probes.
  CHECK(requests_with(rig.platform, "Bearer session-0") == (refuse_held ? 1 : 4));
  CHECK(requests_with(rig.platform, "Bearer token-u-000000-1") == (refuse_held ? 4 : 0));
  // The tampered forgery is made from the token the platform took.
  CHECK(requests_with(rig.platform, refuse_held ? "Bearer token-u-000000-1x" : "Bearer session-0x") == 2);
}

TEST_CASE("forgeries made from a held token wait for a fresh one when no call has shown the held one valid") {
  auto rig = ProbeRig::rest();
  {
    auto phase = rig.phase({{kAttacker, "session-0"}});
    phase.run_round(attack_plan(rig.users, {v1::PROBE_FORGED_REST}));
  }
  CHECK(rig.tokens->granted == 1);
  CHECK(requests_with(rig.platform, "Bearer session-0x") == 0);
  CHECK(requests_with(rig.platform, "Bearer token-u-000000-1x") == 2);
  CHECK(results_of(rig.sink, v1::PROBE_FORGED_REST).size() >= 2 * 12);
}

TEST_CASE("a read-back presents the token its user was granted in round 1, and a fresh one once that is refused") {
  bool refuse_kept = false;
  SUBCASE("the kept token still honoured") { refuse_kept = false; }
  SUBCASE("the kept token refused since") { refuse_kept = true; }
  CAPTURE(refuse_kept);
  auto rig = ProbeRig::rest();
  auto phase = rig.phase();
  phase.run_round(attack_plan(rig.users));
  REQUIRE(phase.tokens().count(kAttacker) == 1);
  CHECK(phase.tokens().at(kAttacker) == "token-u-000000-1");
  if (refuse_kept) {
    rig.tokens->refuse("token-u-000000-1");
  }
  phase.run_round(readback_plan(rig.users));
  auto readbacks = results_of(rig.sink, v1::PROBE_READBACK);
  REQUIRE(readbacks.size() == 1);  // the refusal of the kept token is no result
  CHECK(readbacks[0].http_status() == 200);
  CHECK(readbacks[0].error_kind().empty());
  CHECK(rig.tokens->granted == (refuse_kept ? 2 : 1));
  auto last = rig.platform.requests().back();
  CHECK(last.target == "/api/agents/agent-0/state");
  CHECK(last.authorization == (refuse_kept ? "Bearer token-u-000000-2" : "Bearer token-u-000000-1"));
}

}  // namespace cast::test
