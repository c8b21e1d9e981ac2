// The second-dialect example scenario, end to end, against an in-test
// platform that speaks only that dialect.
#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/integration/worker/collecting_sink.h"
#include "tests/integration/worker/tiny_platform.h"

namespace cast::test {
namespace {

using nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The dialect: sessions instead of /auth/token, the token in ?access_token=,
// ops and rids on the wire. Remembers the secrets agents were started with.
struct OpsPlatform {
  std::mutex mutex;
  std::map<std::string, std::string> secret_of_agent;

  TinyRoutes routes() {
    TinyRoutes routes;
    routes.http = [](const std::string& method, const std::string& target, const std::string& auth,
                     const std::string& body) -> TinyAnswer {
      if (method == "POST" && target == "/v2/sessions") {
        auto request = json::parse(body);
        return {200, json{{"session", {{"token", "tok-" + request.at("subject").get<std::string>()}}}}.dump()};
      }
      if (method == "GET" && target.rfind("/v2/agents/", 0) == 0 && auth.rfind("Bearer tok-", 0) == 0) {
        return {200, json{{"op", "agent.snapshot"}, {"data", {{"agent", target.substr(11)}}}}.dump()};
      }
      return {404, R"({"op":"fault"})"};
    };
    routes.accept_upgrade = [](const std::string& target) {
      return target.find("access_token=tok-u-") != std::string::npos;
    };
    routes.frame = [this](const std::string& text) { return answer(json::parse(text)); };
    return routes;
  }

  std::vector<std::string> answer(const json& request) {
    auto op = request.at("op").get<std::string>();
    auto rid = request.at("rid");
    if (op == "agent.start") {
      auto owner = request["payload"]["memory"]["owner"].get<std::string>();
      auto agent = "ag-" + owner;
      {
        std::lock_guard lock(mutex);
        secret_of_agent[agent] = request["payload"]["memory"]["secret"].get<std::string>();
      }
      // An unsolicited notice first: seen, reported, never taken for the answer.
      return {json{{"op", "notice"}, {"data", {{"text", "warming up"}}}}.dump(),
              json{{"op", "agent.ready"}, {"rid", rid}, {"data", {{"agent", agent}, {"owner", owner}}}}.dump()};
    }
    auto agent = request["payload"]["agent"];
    if (op == "agent.say") {
      return {
          json{{"op", "agent.said"}, {"rid", rid}, {"data", {{"agent", agent}, {"text", request["payload"]["text"]}}}}
              .dump()};
    }
    return {json{{"op", "agent.snapshot"}, {"rid", rid}, {"data", {{"agent", agent}}}}.dump()};
  }
};

}  // namespace

TEST_CASE("the second-dialect example scenario drives a platform that speaks only that dialect") {
  OpsPlatform platform;
  TinyPlatform server(platform.routes());
  worker::RunSetup setup;
  setup.run_id = "dialect1";
  setup.auth_url = server.http_url();
  setup.backend_url = server.http_url();
  setup.ws_url = server.ws_url();
  setup.scenario = worker::parse_scenario(read_text(CAST_SOURCE_DIR "/deploy/examples/scenario-second-dialect.yaml"));
  CollectingSink sink;
  auto users = make_user_specs(12, "dialect1");
  auto summary = run_users(setup, sink, users);

  CHECK(summary.succeeded == 12);
  CHECK(summary.failed == 0);
  CHECK(sink.of_kind(cast::v1::USER_DONE).size() == 12);
  for (const auto& user : users) {
    auto agent = "ag-" + user.user_id();
    CHECK(platform.secret_of_agent[agent] == user.canary());
    std::set<std::string> ops;
    for (const auto& event : sink.of_user(user.index())) {
      if (event.kind() == cast::v1::FRAME_RECEIVED) {
        auto frame = json::parse(event.payload());
        ops.insert(frame["op"].get<std::string>());
        if (!event.request_id().empty()) {
          CHECK(event.request_id().rfind(user.request_id_prefix(), 0) == 0);
          CHECK(event.agent_id() == agent);
        }
      }
      if (event.kind() == cast::v1::REST_ANSWER && event.phase() != cast::v1::PHASE_TOKEN) {
        CHECK(event.agent_id() == agent);
      }
    }
    CHECK(ops == std::set<std::string>{"notice", "agent.ready", "agent.said", "agent.snapshot"});
  }
}

TEST_CASE("a platform refusing the dialect's upgrade fails users in the connect phase with its HTTP status") {
  OpsPlatform platform;
  auto routes = platform.routes();
  routes.accept_upgrade = [](const std::string&) { return false; };
  TinyPlatform server(routes);
  worker::RunSetup setup;
  setup.auth_url = server.http_url();
  setup.backend_url = server.http_url();
  setup.ws_url = server.ws_url();
  setup.scenario = worker::parse_scenario(read_text(CAST_SOURCE_DIR "/deploy/examples/scenario-second-dialect.yaml"));
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(4, "dialect2"));
  CHECK(summary.failed == 4);
  auto failures = sink.of_kind(cast::v1::USER_FAILED);
  REQUIRE(failures.size() == 4);
  for (const auto& failure : failures) {
    CHECK(failure.phase() == cast::v1::PHASE_CONNECT);
    CHECK(failure.error_kind() == "http_401");
  }
}

}  // namespace cast::test
