#pragma once

// Users for reference-platform tests: each carries a unique canary in the
// context it starts its agent with, so any leak can be attributed.

#include <memory>
#include <string>
#include <vector>

#include "tests/support/protocol_client.h"

namespace cast::test {

struct TestUser {
  std::string user_id;
  std::string tenant_id;
  std::string email;
  std::string display_name;
  std::string canary;
  std::string run_id;
  std::string token;
  std::unique_ptr<WsClient> ws;
  std::string agent_id;  // set by start()
  int requests{0};

  json context() const;
  std::string next_request_id();  // "<user_id>-r<n>": names its owner
  // start_agent on the open connection; returns agent_started and records agent_id.
  json start(std::chrono::milliseconds timeout = 20s);
  // user_message; returns the agent_response.
  json say(const std::string& content, std::chrono::milliseconds timeout = 10s);
  json get_state(const std::string& agent_id, std::chrono::milliseconds timeout = 10s);
  json update_state(const std::string& agent_id, const json& patch, std::chrono::milliseconds timeout = 10s);
};

// A fresh run id, unique per call, safe in keys and SQL literals.
std::string fresh_run_id(const std::string& label);

// User `index` of `run_id`, with a token from `auth_url`; no connection yet.
TestUser make_user(const std::string& auth_url, const std::string& run_id, int index);

// make_user + WebSocket connect to `ws_url`.
TestUser connect_user(const std::string& auth_url, const std::string& ws_url, const std::string& run_id, int index);

// True when `text` contains any other user's canary; names it in `which`.
bool holds_foreign_canary(const std::string& text, const TestUser& self, const std::vector<TestUser*>& all,
                          std::string* which = nullptr);

}  // namespace cast::test
