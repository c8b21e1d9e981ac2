// The attacker's WebSocket kept from its attacks (round 1) for its own
// read-back (round 2), where the scenario reads state back over the
// WebSocket: the read-back rides it, one upgrade for both rounds, and when
// the platform closes it instead of answering, the read-back is sent again
// once on a fresh one and judged on that answer.
#include "tests/integration/probes/probe_rig.h"

namespace cast::test {
namespace {

using nlohmann::json;

// Takes every upgrade (counted) and answers get_state for the attacker's own
// agent with its state, for any other agent with an error.
TinyRoutes websocket_routes(std::shared_ptr<std::atomic<int>> upgrades, int frames_per_connection) {
  TinyRoutes routes;
  routes.http = [](const std::string&, const std::string&, const std::string&, const std::string&) -> TinyAnswer {
    return {404, R"({"error":"not_found"})"};
  };
  routes.accept_upgrade = [upgrades](const std::string&) {
    ++*upgrades;
    return true;
  };
  routes.frame = [](const std::string& text) -> std::vector<std::string> {
    auto request = json::parse(text);
    auto agent = request.value("agent_id", "");
    json answer{{"request_id", request.value("request_id", "")}, {"agent_id", agent}};
    answer["type"] = agent == agent_of(kAttacker) ? "agent_state" : "error";
    return {answer.dump()};
  };
  routes.frames_per_connection = frames_per_connection;
  return routes;
}

// The scenario reads state back over the WebSocket only, as the bench's does.
void websocket_readback_only(worker::RunSetup& setup) {
  setup.scenario.state_rest.reset();
  setup.scenario.update_rest.reset();
}

}  // namespace

TEST_CASE("a read-back rides the WebSocket its user's attacks left open, and a fresh one once if that is closed") {
  bool closed_on_readback = false;
  SUBCASE("the kept WebSocket still open") { closed_on_readback = false; }
  SUBCASE("the platform closes it on the read-back") { closed_on_readback = true; }
  CAPTURE(closed_on_readback);
  auto upgrades = std::make_shared<std::atomic<int>>(0);
  // Two attack probes answered on the first connection; the third frame
  // (the read-back) closes it when asked to.
  ProbeRig rig{websocket_routes(upgrades, closed_on_readback ? 2 : 0)};
  websocket_readback_only(rig.setup);
  {
    auto phase = rig.phase({{kAttacker, "session-0"}});
    phase.run_round(attack_plan(rig.users, {v1::PROBE_WS_GET_STATE}));
    CHECK(phase.kept_websockets() == 1);
    CHECK(*upgrades == 1);
    phase.run_round(readback_plan(rig.users));
    CHECK(phase.kept_websockets() == 0);
  }
  auto attacks = results_of(rig.sink, v1::PROBE_WS_GET_STATE);
  CHECK(attacks.size() == 2);
  for (const auto& result : attacks) {
    CHECK(result.answer_type() == "error");
  }
  auto readbacks = results_of(rig.sink, v1::PROBE_READBACK);
  REQUIRE(readbacks.size() == 1);  // the closed connection is no result
  CHECK(readbacks[0].answer_type() == "agent_state");
  CHECK(readbacks[0].error_kind().empty());
  CHECK(*upgrades == (closed_on_readback ? 2 : 1));
  CHECK(rig.platform.requests().empty());  // no token asked: the session's was presented
}

TEST_CASE("an attacker with no read-back to come closes the WebSocket it kept in the next round") {
  auto upgrades = std::make_shared<std::atomic<int>>(0);
  ProbeRig rig{websocket_routes(upgrades, 0)};
  websocket_readback_only(rig.setup);
  auto phase = rig.phase({{kAttacker, "session-0"}});
  phase.run_round(attack_plan(rig.users, {v1::PROBE_WS_GET_STATE}));
  REQUIRE(phase.kept_websockets() == 1);
  phase.run_round(v1::ProbePlan{});
  CHECK(phase.kept_websockets() == 0);
  CHECK(results_of(rig.sink, v1::PROBE_READBACK).empty());
}

TEST_CASE("where the read-back goes over REST, no WebSocket is kept") {
  auto upgrades = std::make_shared<std::atomic<int>>(0);
  ProbeRig rig{websocket_routes(upgrades, 0)};  // the default scenario reads state over REST
  auto phase = rig.phase({{kAttacker, "session-0"}});
  phase.run_round(attack_plan(rig.users, {v1::PROBE_WS_GET_STATE}));
  CHECK(phase.kept_websockets() == 0);
  CHECK(*upgrades == 1);
}

}  // namespace cast::test
