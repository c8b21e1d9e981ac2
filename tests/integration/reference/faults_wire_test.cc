// Each fault mode of the reference platform that shows on the wire really
// misbehaves there, and the clean platform shows none of it. (The harness's
// own detection of these faults is tested end to end elsewhere.)
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "tests/support/reference_platform.h"
#include "tests/support/test_users.h"
#include "tests/support/token_forge.h"

using namespace cast::test;

namespace {

std::unique_ptr<ReferencePlatform> platform_with(std::vector<std::string> faults, std::string startup_ms = "5:20") {
  ReferenceOptions options;
  options.faults = std::move(faults);
  options.startup_ms = std::move(startup_ms);
  return std::make_unique<ReferencePlatform>(options);
}

std::vector<TestUser> connect_users(ReferencePlatform& p, int n) {
  auto run = fresh_run_id("fault");
  std::vector<TestUser> users;
  for (int i = 0; i < n; ++i) users.push_back(connect_user(p.auth_url(), p.ws_url(), run, i));
  return users;
}

std::vector<TestUser*> pointers(std::vector<TestUser>& users) {
  std::vector<TestUser*> out;
  for (auto& u : users) out.push_back(&u);
  return out;
}

// Starts every user's agent at once, one thread each.
void start_together(std::vector<TestUser>& users) {
  std::vector<std::thread> threads;
  for (auto& u : users) threads.emplace_back([&u] { u.start(); });
  for (auto& t : threads) t.join();
}

// Every frame any user saw that carries another user's canary.
int foreign_sightings(std::vector<TestUser>& users) {
  auto all = pointers(users);
  int found = 0;
  for (auto& u : users) {
    for (const auto& frame : u.ws->seen()) found += holds_foreign_canary(frame.dump(), u, all) ? 1 : 0;
  }
  return found;
}

}  // namespace

TEST_CASE("clean platform: concurrent users see only their own data") {
  auto p = platform_with({}, "30:60");
  auto users = connect_users(*p, 12);
  start_together(users);
  for (auto& u : users) {
    u.say("hello");
    u.get_state(u.agent_id);
  }
  CHECK(foreign_sightings(users) == 0);
}

TEST_CASE("shared_context: concurrent starts hand agents another user's context") {
  auto p = platform_with({"shared_context"}, "100:200");
  auto users = connect_users(*p, 8);
  start_together(users);
  for (auto& u : users) u.get_state(u.agent_id);
  CHECK(foreign_sightings(users) > 0);
}

TEST_CASE("misroute: replies arrive on another user's connection") {
  auto p = platform_with({"misroute:1"});
  auto users = connect_users(*p, 3);
  for (auto& u : users)
    u.ws->send({{"type", "start_agent"}, {"request_id", u.next_request_id()}, {"context", u.context()}});
  int misrouted = 0;
  for (auto& u : users) {
    while (auto frame = u.ws->read(1500ms)) {
      auto rid = frame->value("request_id", "");
      misrouted += (!rid.empty() && rid.rfind(u.user_id, 0) != 0) ? 1 : 0;
    }
  }
  CHECK(misrouted > 0);
}

TEST_CASE("no_authz: another user's state can be read and changed") {
  auto p = platform_with({"no_authz"});
  auto users = connect_users(*p, 2);
  auto& alice = users[0];
  auto& mallory = users[1];
  alice.start();
  mallory.start();
  auto stolen = mallory.get_state(alice.agent_id);
  CHECK(stolen.at("type") == "agent_state");
  CHECK(stolen.dump().find(alice.canary) != std::string::npos);
  mallory.update_state(alice.agent_id, {{"owned_by", "mallory"}});
  CHECK(alice.get_state(alice.agent_id).at("state").value("owned_by", "") == "mallory");
  CHECK(rest_get_state(p->backend_url(), alice.agent_id, mallory.token).status == 200);
}

TEST_CASE("id_collision: agent ids repeat across users") {
  auto p = platform_with({"id_collision"});
  auto users = connect_users(*p, 30);
  std::set<std::string> ids;
  for (auto& u : users) ids.insert(u.start().at("agent_id").get<std::string>());
  CHECK(ids.size() < users.size());
}

TEST_CASE("unscoped_cache: the same question gets the first asker's cached answer") {
  auto p = platform_with({"unscoped_cache"});
  auto users = connect_users(*p, 2);
  for (auto& u : users) u.start();
  auto first = users[0].say("what do you know about me?");
  auto second = users[1].say("what do you know about me?");
  CHECK(first.dump().find(users[0].canary) != std::string::npos);
  CHECK(second.dump().find(users[0].canary) != std::string::npos);
}

TEST_CASE("redis_unprefixed: live contexts overwrite each other and replies carry the last writer's") {
  auto p = platform_with({"redis_unprefixed"});
  auto users = connect_users(*p, 2);
  users[0].start();
  users[1].start();
  auto reply = users[0].say("who am I?");
  CHECK(reply.dump().find(users[1].canary) != std::string::npos);
}

TEST_CASE("broadcast: one user's profile reaches every open connection") {
  auto p = platform_with({"broadcast"});
  auto users = connect_users(*p, 3);
  users[0].start();
  auto leaked =
      users[2].ws->read_until([&](const json& f) { return f.dump().find(users[0].email) != std::string::npos; }, 5s);
  CHECK(leaked.dump().find(users[0].email) != std::string::npos);
}

TEST_CASE("cancel_corruption: a client that leaves mid-request poisons the pooled connection for the next user") {
  auto p = platform_with({"cancel_corruption"});
  auto users = connect_users(*p, 2);
  auto& leaver = users[0];
  auto& next = users[1];
  leaver.start();
  next.start();
  leaver.ws->send({{"type", "user_message"}, {"request_id", "x"}, {"agent_id", leaver.agent_id}, {"content", "bye"}});
  leaver.ws->drop();
  std::this_thread::sleep_for(300ms);  // let the server notice the close and abandon the reply
  bool poisoned = false;
  for (int i = 0; i < 40 && !poisoned; ++i) {
    poisoned = next.say("my context please").dump().find(leaver.canary) != std::string::npos;
  }
  CHECK(poisoned);
}

TEST_CASE("jwt_none: an unsigned alg:none token is accepted") {
  auto p = platform_with({"jwt_none"});
  auto token = forge_jwt({{"alg", "none"}}, valid_claims("u-000666", "t-666", "run-none"), "");
  CHECK(WsClient::upgrade_status(p->ws_url(), token) == 101);
  auto clean = platform_with({});
  CHECK(WsClient::upgrade_status(clean->ws_url(), token) == 401);
}

TEST_CASE("slow_start: agent startup takes at least four seconds") {
  auto p = platform_with({"slow_start"});
  auto users = connect_users(*p, 1);
  auto started = users[0].start(20s);
  CHECK(started.at("startup_ms").get<double>() >= 4000);
}

TEST_CASE("drop_connections: the server closes sessions mid-way") {
  auto p = platform_with({"drop_connections:1"});
  auto users = connect_users(*p, 1);
  auto& u = users[0];
  u.start();
  bool dropped = false;
  for (int i = 0; i < 10 && !dropped; ++i) {
    try {
      u.say("still there?", 3s);
    } catch (const std::exception&) {
      dropped = !u.ws->is_open();
    }
  }
  CHECK(dropped);
}
