#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "worker/scenario/text_template.h"

namespace cast::worker {

// A scenario document that cannot be used; the message names the key and
// its line ("scenario line 7, key 'start.expect': ...").
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where, in an answer, the fields the harness needs are.
struct ReplyPointers {
  nlohmann::json::json_pointer type{"/type"};
  nlohmann::json::json_pointer request_id{"/request_id"};
  nlohmann::json::json_pointer agent_id{"/agent_id"};
  nlohmann::json::json_pointer user_id{"/user_id"};
  nlohmann::json::json_pointer code{"/code"};  // a refusal's reason (not_found, unauthorized, ...)
  std::string error_type{"error"};             // the message type of a refusal
};

// What one answer says about itself; empty where the pointer found nothing.
// A number found at a pointer is given as its JSON text.
struct ReplyFields {
  std::string type;
  std::string request_id;
  std::string agent_id;
  std::string user_id;
  std::string code;
};

ReplyFields read_reply(const nlohmann::json& answer, const ReplyPointers& pointers);
// The same fields read from the answer's text as it is parsed, without
// building the document (what a user does with every frame); empty for
// text that is not JSON.
ReplyFields read_reply_text(std::string_view answer, const ReplyPointers& pointers);

// One WebSocket request and the answer type that completes it.
struct WsExchange {
  TextTemplate send;   // a JSON text template
  std::string expect;  // message type of the answer carrying our request id
  ReplyPointers replies;
};

struct HttpShape {
  std::string method{"GET"};
  TextTemplate target;  // path and query, fields URL-encoded
  TextTemplate body;    // JSON text template; empty for no body
};

struct TokenShape {
  HttpShape call;
  nlohmann::json::json_pointer token{"/access_token"};  // where the token is in the answer
  std::string query_parameter;  // WebSocket upgrade carries it as ?<name>=; empty: Bearer header
};

struct Scenario {
  std::string name;
  TokenShape token;
  WsExchange start;
  WsExchange message;                  // each entry of `messages` fills its {{content}}
  std::vector<TextTemplate> messages;  // the contents, in order
  WsExchange state;
  std::optional<HttpShape> state_rest;  // REST read of the agent's state, on the backend URL
  // Writes of the agent's state, used only by the authorization probes:
  // {{content}} is the prober's marker, which the platform must keep out
  // of another user's agent. Empty send / no rest: that probe is skipped.
  WsExchange update;
  std::optional<HttpShape> update_rest;
};

// Throws ScenarioError. Keys left out take the default scenario's values.
Scenario parse_scenario(std::string_view document);

// The agent session protocol v1, as deploy/examples/scenario-default.yaml.
const Scenario& default_scenario();
std::string_view default_scenario_document();

}  // namespace cast::worker
