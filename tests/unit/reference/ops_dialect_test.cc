#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "reference/dialect/ops_dialect.h"

namespace cast::reference {
namespace {

using nlohmann::json;

}  // namespace

TEST_CASE("ops dialect: client frames become v1 frames, fields renamed from payload") {
  auto start = json::parse(
      ops::client_frame_to_v1(R"({"op":"agent.start","rid":"u-1-r1","payload":{"memory":{"secret":"cst_x"}}})"));
  CHECK(start == json{{"type", "start_agent"}, {"request_id", "u-1-r1"}, {"context", {{"secret", "cst_x"}}}});
  auto patch = json::parse(ops::client_frame_to_v1(
      R"({"op":"agent.patch","rid":"r2","payload":{"agent":"a-1","patch":{"cast_probe":"u-2"}}})"));
  CHECK(patch ==
        json{{"type", "update_state"}, {"request_id", "r2"}, {"agent_id", "a-1"}, {"patch", {{"cast_probe", "u-2"}}}});
  CHECK(ops::client_frame_to_v1("not json") == "not json");  // v1 then refuses it as bad_request
}

TEST_CASE("ops dialect: server frames and REST bodies come out with op, rid and data") {
  auto ready = json::parse(ops::server_frame_from_v1(
      R"({"type":"agent_started","request_id":"r1","agent_id":"a-1","user_id":"u-1","startup_ms":3})"));
  CHECK(ready ==
        json{{"op", "agent.ready"}, {"rid", "r1"}, {"data", {{"agent", "a-1"}, {"owner", "u-1"}, {"startup_ms", 3}}}});
  auto fault = json::parse(ops::server_frame_from_v1(R"({"type":"error","code":"not_found","request_id":"r2"})"));
  CHECK(fault == json{{"op", "fault"}, {"rid", "r2"}, {"data", {{"code", "not_found"}}}});
  auto state = json::parse(ops::rest_body_from_v1(200, R"({"agent_id":"a-1","user_id":"u-1","state":{"k":1}})"));
  CHECK(state["op"] == "agent.snapshot");
  CHECK(state["data"]["agent"] == "a-1");
  CHECK(state["data"]["state"] == json{{"k", 1}});
  auto missing = json::parse(ops::rest_body_from_v1(404, R"({"error":"agent not found"})"));
  CHECK(missing["data"]["code"] == "not_found");
}

TEST_CASE("ops dialect: sessions are v1 token requests and answers") {
  auto request =
      json::parse(ops::token_request_to_v1(R"({"subject":"u-1","org":"t-1","mail":"u1@x","labels":{"run":"run-1"}})"));
  CHECK(request == json{{"user_id", "u-1"}, {"tenant_id", "t-1"}, {"email", "u1@x"}, {"run_id", "run-1"}});
  auto answer =
      json::parse(ops::token_answer_from_v1(R"({"access_token":"jwt","token_type":"Bearer","expires_in":900})"));
  CHECK(answer == json{{"session", {{"token", "jwt"}, {"expires_in", 900}}}});
}

}  // namespace cast::reference
