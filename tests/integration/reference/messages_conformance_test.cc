// protocol.md, WebSocket messages and the REST state API, on the in-memory
// platform: every message type, every error code, malformed and oversized
// frames, and "not found" for another user's agent on both channels.
#include <doctest/doctest.h>

#include <set>

#include "common/net/http_client.h"
#include "tests/support/reference_platform.h"
#include "tests/support/test_users.h"

using namespace cast::test;

namespace {

ReferencePlatform& platform() {
  static ReferencePlatform instance{ReferenceOptions{}};
  return instance;
}

TestUser user(int index, const std::string& run = fresh_run_id("msg")) {
  return connect_user(platform().auth_url(), platform().ws_url(), run, index);
}

bool is_error(const json& frame, const std::string& code) {
  return frame.value("type", "") == "error" && frame.value("code", "") == code && frame.contains("message");
}

}  // namespace

TEST_CASE("start_agent answers agent_started with the token's user, a startup time and the request id") {
  auto alice = user(1);
  auto started = alice.start();
  CHECK(started.at("type") == "agent_started");
  CHECK_FALSE(started.at("agent_id").get<std::string>().empty());
  CHECK(started.at("user_id") == alice.user_id);
  CHECK(started.at("startup_ms").is_number());
  CHECK(started.at("startup_ms").get<double>() >= 0);
}

TEST_CASE("agent ids are unique across users and agents") {
  auto run = fresh_run_id("unique");
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto u = user(i, run);
    ids.insert(u.start().at("agent_id").get<std::string>());
    ids.insert(u.start().at("agent_id").get<std::string>());
  }
  CHECK(ids.size() == 20);
}

TEST_CASE("user_message is answered with a reply quoting the message and the agent's own context") {
  auto alice = user(1);
  alice.start();
  auto reply = alice.say("what is my canary? " + alice.canary);
  CHECK(reply.at("type") == "agent_response");
  CHECK(reply.at("agent_id") == alice.agent_id);
  auto content = reply.at("content").get<std::string>();
  CHECK(content.find("what is my canary?") != std::string::npos);
  // The context digest names this user's canary even when the message does not.
  auto plain = alice.say("hello");
  CHECK(plain.at("content").get<std::string>().find(alice.canary) != std::string::npos);
}

TEST_CASE("get_state returns the stored context; update_state acks and merges shallowly") {
  auto alice = user(1);
  alice.start();
  auto state = alice.get_state(alice.agent_id);
  CHECK(state.at("type") == "agent_state");
  CHECK(state.at("agent_id") == alice.agent_id);
  CHECK(state.at("user_id") == alice.user_id);
  CHECK(state.at("state").dump().find(alice.canary) != std::string::npos);

  auto ack = alice.update_state(alice.agent_id, {{"mood", "curious"}, {"step", 2}});
  CHECK(ack.at("type") == "ack");
  auto after = alice.get_state(alice.agent_id).at("state");
  CHECK(after.at("mood") == "curious");
  CHECK(after.at("step") == 2);
  CHECK(after.dump().find(alice.canary) != std::string::npos);
}

TEST_CASE("another user's agent is not_found over WebSocket, and stays unchanged") {
  auto run = fresh_run_id("authz");
  auto alice = user(1, run);
  auto mallory = user(2, run);
  alice.start();
  mallory.start();
  auto read = mallory.get_state(alice.agent_id);
  CHECK(is_error(read, "not_found"));
  CHECK(read.dump().find(alice.canary) == std::string::npos);
  auto write = mallory.update_state(alice.agent_id, {{"owned_by", "mallory"}});
  CHECK(is_error(write, "not_found"));
  CHECK(is_error(mallory.say("hi"), "not_found") == false);  // her own agent still answers
  auto still = alice.get_state(alice.agent_id).at("state");
  CHECK_FALSE(still.contains("owned_by"));
  // An agent that does not exist looks exactly the same.
  CHECK(is_error(mallory.get_state("no-such-agent"), "not_found"));
}

TEST_CASE("malformed frames get bad_request and the connection stays open") {
  auto alice = user(1);
  alice.start();
  std::vector<std::string> frames{
      "this is not json",
      "[1,2,3]",
      R"({"request_id":"x1"})",
      R"({"type":"teleport","request_id":"x2"})",
      R"({"type":"user_message","request_id":"x3","agent_id":7,"content":"hi"})",
      R"({"type":"user_message","request_id":"x4","agent_id":"a","content":{"not":"a string"}})",
      R"({"type":"update_state","request_id":"x5","agent_id":"a","patch":"not an object"})",
      R"({"type":"start_agent","request_id":"x6","context":"not an object"})",
      R"({"type":5})",
  };
  for (const auto& frame : frames) {
    CAPTURE(frame);
    alice.ws->send_text(frame);
    auto answer = alice.ws->read_until([](const json& f) { return f.is_object() && f.contains("type"); });
    CHECK(is_error(answer, "bad_request"));
  }
  CHECK(alice.say("still there?").at("type") == "agent_response");
}

TEST_CASE("a frame over the 64 KiB limit gets bad_request and the connection stays open") {
  auto alice = user(1);
  alice.start();
  alice.ws->send({{"type", "user_message"},
                  {"request_id", "big"},
                  {"agent_id", alice.agent_id},
                  {"content", std::string(70 * 1024, 'x')}});
  auto answer = alice.ws->read_until([](const json& f) { return f.is_object() && f.value("type", "") == "error"; });
  CHECK(is_error(answer, "bad_request"));
  CHECK(alice.say("after the big one").at("type") == "agent_response");
}

TEST_CASE("REST state: own agent 200, missing or bad token 401, unknown or foreign agent 404") {
  auto run = fresh_run_id("rest");
  auto alice = user(1, run);
  auto mallory = user(2, run);
  alice.start();
  auto base = platform().backend_url();

  auto own = rest_get_state(base, alice.agent_id, alice.token);
  CHECK(own.status == 200);
  CHECK(own.body.at("agent_id") == alice.agent_id);
  CHECK(own.body.at("user_id") == alice.user_id);
  CHECK(own.body.at("tenant_id") == alice.tenant_id);
  CHECK(own.body.at("state").dump().find(alice.canary) != std::string::npos);

  CHECK(rest_get_state(base, alice.agent_id, "").status == 401);
  CHECK(rest_get_state(base, alice.agent_id, alice.token + "x").status == 401);
  CHECK(rest_get_state(base, "no-such-agent", alice.token).status == 404);
  auto foreign = rest_get_state(base, alice.agent_id, mallory.token);
  CHECK(foreign.status == 404);
  CHECK(foreign.raw.find(alice.canary) == std::string::npos);

  auto put = rest_put_state(base, alice.agent_id, alice.token, {{"patch", {{"color", "teal"}}}});
  CHECK(put.status == 200);
  CHECK(put.body.dump().find("teal") != std::string::npos);
  CHECK(rest_put_state(base, alice.agent_id, mallory.token, {{"patch", {{"color", "red"}}}}).status == 404);
  CHECK(rest_put_state(base, alice.agent_id, alice.token, {{"no_patch", 1}}).status == 400);
  CHECK(rest_get_state(base, alice.agent_id, alice.token).body.at("state").at("color") == "teal");
}

TEST_CASE("/metrics exposes the protocol's metrics and counts startups") {
  auto scrape = [] { return cast::http_get(platform().backend_url() + "/metrics").body; };
  auto before = scrape();
  for (const char* name : {"process_resident_memory_bytes", "process_cpu_seconds_total", "agent_active_connections",
                           "agent_startups_total"}) {
    CAPTURE(name);
    CHECK(before.find(name) != std::string::npos);
  }
  auto alice = user(1);
  alice.start();
  auto count = [](const std::string& text) {
    auto at = text.find("\nagent_startups_total");
    REQUIRE(at != std::string::npos);
    auto line = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    return std::stod(line.substr(line.rfind(' ') + 1));
  };
  CHECK(count(scrape()) >= count(before) + 1);
}

TEST_CASE("clients vanishing mid-request do not hurt the server") {
  auto run = fresh_run_id("vanish");
  for (int i = 0; i < 20; ++i) {
    auto u = user(i, run);
    u.start();
    u.ws->send({{"type", "user_message"}, {"request_id", "gone"}, {"agent_id", u.agent_id}, {"content", "bye"}});
    u.ws->drop();
  }
  CHECK(cast::http_get(platform().backend_url() + "/health").status == 200);
  auto survivor = user(99, run);
  survivor.start();
  CHECK(survivor.say("are you ok?").at("type") == "agent_response");
}
