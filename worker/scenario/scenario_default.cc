#include "worker/scenario/scenario.h"

namespace cast::worker {
namespace {

// Kept in step with deploy/examples/scenario-default.yaml (a unit test
// checks that both produce the same messages).
constexpr std::string_view kDefaultScenario = R"yaml(
name: agent-session-protocol-v1
token:
  method: POST
  path: /auth/token
  body:
    user_id: "{{user_id}}"
    tenant_id: "{{tenant_id}}"
    email: "{{email}}"
    run_id: "{{run_id}}"
    ttl_s: 900
  token_pointer: /access_token
  query_parameter: ~
replies:
  type: /type
  request_id: /request_id
  agent_id: /agent_id
  user_id: /user_id
  code: /code
  error_type: error
start:
  send:
    type: start_agent
    request_id: "{{request_id}}"
    context:
      canary: "{{canary}}"
      user_id: "{{user_id}}"
      tenant_id: "{{tenant_id}}"
      profile:
        email: "{{email}}"
        display_name: "{{display_name}}"
  expect: agent_started
message:
  send:
    type: user_message
    request_id: "{{request_id}}"
    agent_id: "{{agent_id}}"
    content: "{{content}}"
  expect: agent_response
messages:
  - "Please remember my code word {{canary}}."
  - "status?"
  - "Which code word did I give you? It was {{canary}}."
state:
  send:
    type: get_state
    request_id: "{{request_id}}"
    agent_id: "{{agent_id}}"
  expect: agent_state
  rest:
    method: GET
    path: /api/agents/{{agent_id}}/state
update:
  send:
    type: update_state
    request_id: "{{request_id}}"
    agent_id: "{{agent_id}}"
    patch:
      cast_probe: "{{content}}"
  expect: ack
  rest:
    method: PUT
    path: /api/agents/{{agent_id}}/state
    body:
      patch:
        cast_probe: "{{content}}"
)yaml";

}  // namespace

std::string_view default_scenario_document() { return kDefaultScenario; }

}  // namespace cast::worker
