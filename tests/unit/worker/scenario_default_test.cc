#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "worker/scenario/scenario.h"

namespace cast::worker {
namespace {

using nlohmann::json;

TemplateFields sample_user(std::string_view request_id = "u-000007-r1", std::string_view content = {}) {
  return {"u-000007",
          "t-0002",
          "u7@example.test",
          "Tester \"Seven\"",
          "cst_run12345_7_00112233aabbccdd",
          "run12345",
          "7",
          request_id,
          "ag-1",
          content};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every message the scenario makes for the sample user, in order.
std::vector<std::string> conversation(const Scenario& scenario) {
  auto user = sample_user();
  std::vector<std::string> out{scenario.token.call.method + " " + scenario.token.call.target.fill(user),
                               scenario.token.call.body.fill(user), scenario.start.send.fill(user)};
  for (const auto& message : scenario.messages) {
    auto content = message.fill(user);
    out.push_back(scenario.message.send.fill(sample_user("u-000007-r2", content)));
  }
  out.push_back(scenario.state.send.fill(user));
  out.push_back(scenario.state_rest ? scenario.state_rest->target.fill(user) : "");
  auto marked = sample_user("u-000007-r3", "u-000003");
  out.push_back(scenario.update.send.fill(marked));
  out.push_back(scenario.update_rest ? scenario.update_rest->method + " " + scenario.update_rest->target.fill(marked) +
                                           " " + scenario.update_rest->body.fill(marked)
                                     : "");
  return out;
}

}  // namespace

TEST_CASE("the default scenario speaks protocol v1: token body, start_agent context, messages, get_state") {
  const auto& scenario = default_scenario();
  auto user = sample_user();
  CHECK(scenario.token.call.method == "POST");
  CHECK(scenario.token.call.target.fill(user) == "/auth/token");
  auto token_body = json::parse(scenario.token.call.body.fill(user));
  CHECK(token_body == json{{"user_id", "u-000007"},
                           {"tenant_id", "t-0002"},
                           {"email", "u7@example.test"},
                           {"run_id", "run12345"},
                           {"ttl_s", 900}});

  auto start = json::parse(scenario.start.send.fill(user));
  CHECK(start["type"] == "start_agent");
  CHECK(start["request_id"] == "u-000007-r1");
  CHECK(start["context"] == json{{"canary", "cst_run12345_7_00112233aabbccdd"},
                                 {"user_id", "u-000007"},
                                 {"tenant_id", "t-0002"},
                                 {"profile", {{"email", "u7@example.test"}, {"display_name", "Tester \"Seven\""}}}});
  CHECK(scenario.start.expect == "agent_started");

  REQUIRE(scenario.messages.size() == 3);
  int quoting_canary = 0;
  int shared_by_all = 0;
  for (const auto& message : scenario.messages) {
    auto content = message.fill(user);
    quoting_canary += content.find("cst_run12345_7_00112233aabbccdd") != std::string::npos ? 1 : 0;
    shared_by_all += message.uses(TemplateField::canary) || message.uses(TemplateField::user_id) ? 0 : 1;
    auto sent = json::parse(scenario.message.send.fill(sample_user("u-000007-r2", content)));
    CHECK(sent ==
          json{{"type", "user_message"}, {"request_id", "u-000007-r2"}, {"agent_id", "ag-1"}, {"content", content}});
  }
  CHECK(quoting_canary == 2);
  CHECK(shared_by_all == 1);  // what lets an unscoped cache show itself

  CHECK(json::parse(scenario.state.send.fill(user)) ==
        json{{"type", "get_state"}, {"request_id", "u-000007-r1"}, {"agent_id", "ag-1"}});
  REQUIRE(scenario.state_rest);
  CHECK(scenario.state_rest->target.fill(user) == "/api/agents/ag-1/state");
  CHECK(scenario.token.query_parameter.empty());
}

TEST_CASE("deploy/examples/scenario-default.yaml is the built-in default spelled out") {
  auto file = parse_scenario(read_text(CAST_SOURCE_DIR "/deploy/examples/scenario-default.yaml"));
  CHECK(conversation(file) == conversation(default_scenario()));
  CHECK(file.start.expect == default_scenario().start.expect);
  CHECK(file.message.expect == default_scenario().message.expect);
  CHECK(file.state.expect == default_scenario().state.expect);
}

TEST_CASE("deploy/examples/scenario-second-dialect.yaml re-maps every message") {
  auto dialect = parse_scenario(read_text(CAST_SOURCE_DIR "/deploy/examples/scenario-second-dialect.yaml"));
  auto start = json::parse(dialect.start.send.fill(sample_user()));
  CHECK(start["op"] == "agent.start");
  CHECK(start["rid"] == "u-000007-r1");
  CHECK(start["payload"]["memory"]["secret"] == "cst_run12345_7_00112233aabbccdd");
  auto started =
      json{{"op", "agent.ready"}, {"rid", "u-000007-r1"}, {"data", {{"agent", "x-9"}, {"owner", "u-000007"}}}};
  auto reply = read_reply(started, dialect.start.replies);
  CHECK(reply.type == "agent.ready");
  CHECK(reply.request_id == "u-000007-r1");
  CHECK(reply.agent_id == "x-9");
  CHECK(reply.user_id == "u-000007");
  CHECK(conversation(dialect) != conversation(default_scenario()));
}

TEST_CASE("the probes' state writes carry the marker in {{content}}, in v1 and in the second dialect") {
  auto marked = sample_user("u-000007-r3", "u-000003");
  const auto& v1 = default_scenario();
  CHECK(json::parse(v1.update.send.fill(marked)) == json{{"type", "update_state"},
                                                         {"request_id", "u-000007-r3"},
                                                         {"agent_id", "ag-1"},
                                                         {"patch", {{"cast_probe", "u-000003"}}}});
  CHECK(v1.update.expect == "ack");
  REQUIRE(v1.update_rest);
  CHECK(v1.update_rest->method == "PUT");
  CHECK(json::parse(v1.update_rest->body.fill(marked)) == json{{"patch", {{"cast_probe", "u-000003"}}}});
  auto refusal = json{{"type", "error"}, {"code", "not_found"}};
  CHECK(read_reply(refusal, v1.state.replies).code == "not_found");

  auto dialect = parse_scenario(read_text(CAST_SOURCE_DIR "/deploy/examples/scenario-second-dialect.yaml"));
  auto sent = json::parse(dialect.update.send.fill(marked));
  CHECK(sent["op"] == "agent.patch");
  CHECK(sent["payload"]["patch"]["cast_probe"] == "u-000003");
  REQUIRE(dialect.update_rest);
  CHECK(dialect.update_rest->target.fill(marked) == "/v2/agents/ag-1");
  auto fault = json{{"op", "fault"}, {"rid", "u-000007-r3"}, {"data", {{"code", "not_found"}}}};
  auto reply = read_reply(fault, dialect.update.replies);
  CHECK(reply.type == dialect.update.replies.error_type);
  CHECK(reply.code == "not_found");
}

}  // namespace cast::worker
