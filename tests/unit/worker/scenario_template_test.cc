#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "worker/scenario/scenario.h"

namespace cast::worker {

using nlohmann::json;

TEST_CASE("a text template fills every field and escapes for its place") {
  TemplateFields fields{"u-1", "t-1", "a@b.c", "Ann \"A\" \\ B", "cst_x", "run-1", "1", "u-1-r5", "ag/1 2", "hi"};
  auto plain = TextTemplate::compile(
      "{{user_id}}|{{tenant_id}}|{{email}}|{{canary}}|{{run_id}}|{{user_index}}|"
      "{{request_id}}|{{agent_id}}|{{content}}",
      TemplateEscape::none);
  CHECK(plain.fill(fields) == "u-1|t-1|a@b.c|cst_x|run-1|1|u-1-r5|ag/1 2|hi");

  auto as_json = TextTemplate::compile(R"({"name":"{{display_name}}"})", TemplateEscape::json_string);
  CHECK(json::parse(as_json.fill(fields))["name"] == "Ann \"A\" \\ B");

  auto as_path = TextTemplate::compile("/api/agents/{{agent_id}}/state", TemplateEscape::url);
  auto path = as_path.fill(fields);
  CHECK(path.find(' ') == std::string::npos);
  CHECK(path.rfind("/api/agents/", 0) == 0);
  CHECK(path.find("ag") != std::string::npos);

  CHECK(plain.uses(TemplateField::canary));
  CHECK_FALSE(as_path.uses(TemplateField::canary));
  CHECK(TextTemplate::compile("no placeholders", TemplateEscape::none).fill(fields) == "no placeholders");
}

TEST_CASE("a JSON string field is escaped as nlohmann's serializer does, byte by byte") {
  auto as_json = TextTemplate::compile(R"({{content}})", TemplateEscape::json_string);
  auto serialized = [](const std::string& value) {
    auto quoted = json(value).dump(-1, ' ', false, json::error_handler_t::replace);
    return quoted.substr(1, quoted.size() - 2);
  };
  for (int byte = 0; byte < 256; ++byte) {
    std::string value = "ab" + std::string(1, static_cast<char>(byte)) + "cd";
    CAPTURE(byte);
    CHECK(as_json.fill({"", "", "", "", "", "", "", "", "", value}) == serialized(value));
  }
  for (std::string value : {"u-000007-r12", "caf\xc3\xa9", "bad \xff utf-8", "tab\tnew\nline", ""}) {
    CHECK(as_json.fill({"", "", "", "", "", "", "", "", "", value}) == serialized(value));
  }
}

TEST_CASE("a template refuses unknown and unterminated placeholders") {
  CHECK_THROWS_WITH_AS(TextTemplate::compile("hello {{nobody}}", TemplateEscape::none), doctest::Contains("{{nobody}}"),
                       TemplateError);
  CHECK_THROWS_AS(TextTemplate::compile("hello {{user_id", TemplateEscape::none), TemplateError);
}

TEST_CASE("JSON pointers pull the reply fields out of an answer, and miss quietly") {
  ReplyPointers pointers;
  pointers.type = json::json_pointer("/kind");
  pointers.request_id = json::json_pointer("/meta/rid");
  pointers.agent_id = json::json_pointer("/data/0/agent");
  pointers.user_id = json::json_pointer("/data/0/owner");
  auto answer = json::parse(R"({"kind":"ok","meta":{"rid":"u-1-r3"},"data":[{"agent":"a-7","owner":42}]})");
  auto reply = read_reply(answer, pointers);
  CHECK(reply.type == "ok");
  CHECK(reply.request_id == "u-1-r3");
  CHECK(reply.agent_id == "a-7");
  CHECK(reply.user_id == "42");  // numbers as their JSON text

  auto missing = read_reply(json::parse(R"({"kind":"x","meta":"flat","data":{}})"), pointers);
  CHECK(missing.type == "x");
  CHECK(missing.request_id.empty());
  CHECK(missing.agent_id.empty());
  CHECK(read_reply(json("just a string"), pointers).type.empty());
}

TEST_CASE("a scenario can re-map the token request and the messages, keeping the rest") {
  auto scenario = parse_scenario(R"yaml(
token:
  path: /login?tenant={{tenant_id}}
  body: {login: "{{email}}", n: 3, quoted: "3", flag: true, none: ~}
  token_pointer: /session/jwt
  query_parameter: access_token
messages:
  - "only one for {{user_id}}"
)yaml");
  TemplateFields fields{"u-1", "t 1", "a@b.c", "A", "cst_x", "r", "1", "u-1-r1", "", ""};
  CHECK(scenario.token.call.target.fill(fields) == "/login?tenant=t%201");
  CHECK(json::parse(scenario.token.call.body.fill(fields)) ==
        json{{"login", "a@b.c"}, {"n", 3}, {"quoted", "3"}, {"flag", true}, {"none", nullptr}});
  CHECK(scenario.token.token.to_string() == "/session/jwt");
  CHECK(scenario.token.query_parameter == "access_token");
  REQUIRE(scenario.messages.size() == 1);
  CHECK(scenario.messages[0].fill(fields) == "only one for u-1");
  CHECK(scenario.start.expect == "agent_started");  // untouched keys keep the default
}

TEST_CASE("global reply pointers apply to every step unless a step overrides them") {
  auto scenario = parse_scenario(R"yaml(
replies: {request_id: /rid}
state:
  replies: {agent_id: /agent/id}
  rest: ~
)yaml");
  CHECK(scenario.start.replies.request_id.to_string() == "/rid");
  CHECK(scenario.message.replies.request_id.to_string() == "/rid");
  CHECK(scenario.state.replies.request_id.to_string() == "/rid");
  CHECK(scenario.state.replies.agent_id.to_string() == "/agent/id");
  CHECK(scenario.start.replies.agent_id.to_string() == "/agent_id");
  CHECK_FALSE(scenario.state_rest.has_value());
}

}  // namespace cast::worker
