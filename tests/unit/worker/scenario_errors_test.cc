#include <doctest/doctest.h>

#include "worker/scenario/scenario.h"

namespace cast::worker {

namespace {

std::string error_of(const std::string& document) {
  try {
    parse_scenario(document);
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("an unknown key is an error naming the key and its line") {
  CHECK(error_of("name: x\nstart:\n  expect: agent_started\n  sned: {}\n") ==
        "scenario line 4, key 'start.sned': unknown key");
  CHECK(error_of("\n\ntokens: {}\n") == "scenario line 3, key 'tokens': unknown key");
  CHECK(error_of("replies:\n  agent: /a\n") == "scenario line 2, key 'replies.agent': unknown key");
}

TEST_CASE("a bad value is an error naming the key and its line") {
  CHECK(error_of("replies:\n  agent_id: no-slash\n")
            .rfind("scenario line 2, key 'replies.agent_id': not a JSON pointer", 0) == 0);
  CHECK(error_of("messages: hello\n") == "scenario line 1, key 'messages': must be a list of message contents");
  CHECK(error_of("messages:\n  - ok\n  - [1, 2]\n") == "scenario line 3, key 'messages[1]': must be a string");
  CHECK(error_of("token:\n  method: FETCH\n") ==
        "scenario line 2, key 'token.method': must be one of GET, POST, PUT, PATCH, DELETE");
  CHECK(error_of("start:\n  send: start_agent\n").rfind("scenario line 2, key 'start.send': must be a mapping", 0) ==
        0);
  CHECK(error_of("message:\n  send:\n    type: user_message\n    content: \"{{contents}}\"\n") ==
        "scenario line 4, key 'message.send.content': unknown placeholder {{contents}}");
  CHECK(error_of("messages:\n  - \"hi {{canary\"\n").rfind("scenario line 2, key 'messages[0]': unterminated", 0) == 0);
  CHECK(error_of("- just\n- a list\n") == "scenario line 1, key '(document)': must be a mapping");
}

TEST_CASE("malformed YAML is an error with its line") {
  CHECK(error_of("start:\n  send: {type: x\n").rfind("scenario line ", 0) == 0);
  CHECK(error_of("a: [\n").rfind("scenario line ", 0) == 0);
}

TEST_CASE("required parts cannot be emptied") {
  CHECK(error_of("start:\n  expect: \"\"\n") == "scenario line 1, key 'start.expect': is required");
  CHECK(error_of("state:\n  rest:\n    method: GET\n    path: \"\"\n") ==
        "scenario line 3, key 'state.rest.path': is required");
}

}  // namespace cast::worker
