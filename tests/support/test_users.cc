#include "tests/support/test_users.h"

#include <atomic>
#include <chrono>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"

namespace cast::test {

json TestUser::context() const {
  return {{"canary", canary}, {"user_id", user_id}, {"profile", {{"email", email}, {"display_name", display_name}}}};
}

std::string TestUser::next_request_id() { return user_id + "-r" + std::to_string(++requests); }

json TestUser::start(std::chrono::milliseconds timeout) {
  auto started = ws->start_agent(context(), next_request_id(), timeout);
  agent_id = started.value("agent_id", "");
  return started;
}

json TestUser::say(const std::string& content, std::chrono::milliseconds timeout) {
  auto id = next_request_id();
  ws->send({{"type", "user_message"}, {"request_id", id}, {"agent_id", agent_id}, {"content", content}});
  return ws->read_reply(id, timeout);
}

json TestUser::get_state(const std::string& agent, std::chrono::milliseconds timeout) {
  auto id = next_request_id();
  ws->send({{"type", "get_state"}, {"request_id", id}, {"agent_id", agent}});
  return ws->read_reply(id, timeout);
}

json TestUser::update_state(const std::string& agent, const json& patch, std::chrono::milliseconds timeout) {
  auto id = next_request_id();
  ws->send({{"type", "update_state"}, {"request_id", id}, {"agent_id", agent}, {"patch", patch}});
  return ws->read_reply(id, timeout);
}

std::string fresh_run_id(const std::string& label) {
  static std::atomic<int> counter{0};
  return "t" + hex_encode(random_bytes(4)) + "-" + label + "-" + std::to_string(++counter);
}

TestUser make_user(const std::string& auth_url, const std::string& run_id, int index) {
  TestUser u;
  char id[32];
  std::snprintf(id, sizeof id, "u-%06d", index);
  u.user_id = id;
  u.tenant_id = "t-" + std::to_string(index);
  u.email = u.user_id + "@" + run_id + ".cast.test";
  u.display_name = "Tester " + std::to_string(index);
  u.canary = "cst_" + run_id.substr(0, 8) + "_" + std::to_string(index) + "_" + hex_encode(random_bytes(8));
  u.run_id = run_id;
  u.token = issue_token(auth_url, {u.user_id, u.tenant_id, u.email, run_id});
  return u;
}

TestUser connect_user(const std::string& auth_url, const std::string& ws_url, const std::string& run_id, int index) {
  auto u = make_user(auth_url, run_id, index);
  u.ws = WsClient::connect(ws_url, u.token);
  return u;
}

bool holds_foreign_canary(const std::string& text, const TestUser& self, const std::vector<TestUser*>& all,
                          std::string* which) {
  for (const auto* other : all) {
    if (other->user_id != self.user_id && text.find(other->canary) != std::string::npos) {
      if (which) *which = other->user_id;
      return true;
    }
  }
  return false;
}

}  // namespace cast::test
