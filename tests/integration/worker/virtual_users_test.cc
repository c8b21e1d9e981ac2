// Virtual users against the real reference platform (cast-reference auth +
// backend on loopback), through a UserEngine of two event loops.
#include <doctest/doctest.h>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/integration/worker/collecting_sink.h"
#include "tests/support/reference_platform.h"

namespace cast::test {
namespace {

using cast::v1::Event;
using nlohmann::json;

worker::RunSetup setup_for(const ReferencePlatform& platform, const std::string& run_id) {
  worker::RunSetup setup;
  setup.run_id = run_id;
  setup.auth_url = platform.auth_url();
  setup.backend_url = platform.backend_url();
  setup.ws_url = platform.ws_url();
  return setup;
}

// (phase, step) -> PHASE_FINISHED events of one user.
std::map<std::pair<int, unsigned>, int> finished_steps(const std::vector<Event>& events) {
  std::map<std::pair<int, unsigned>, int> steps;
  for (const auto& event : events) {
    if (event.kind() == cast::v1::PHASE_FINISHED) {
      ++steps[{event.phase(), event.step()}];
      CHECK(event.duration_us() >= 0);
      CHECK(event.schedule_lag_us() >= 0);
      CHECK(event.offset_us() > 0);
    }
  }
  return steps;
}

}  // namespace

TEST_CASE("50 users on two loops all succeed against the reference platform, each seeing only its own replies") {
  ReferencePlatform platform;
  auto run_id = "vu" + std::to_string(::getpid());
  CollectingSink sink;
  auto users = make_user_specs(50, run_id);
  auto summary = run_users(setup_for(platform, run_id), sink, users);

  CHECK(summary.users == 50);
  CHECK(summary.succeeded == 50);
  CHECK(summary.failed == 0);
  CHECK(summary.errors_by_kind.empty());
  CHECK(summary.events_emitted == sink.events().size());
  const std::map<std::pair<int, unsigned>, int> expected{
      {{cast::v1::PHASE_TOKEN, 0}, 1},   {{cast::v1::PHASE_CONNECT, 0}, 1}, {{cast::v1::PHASE_START, 0}, 1},
      {{cast::v1::PHASE_MESSAGE, 0}, 1}, {{cast::v1::PHASE_MESSAGE, 1}, 1}, {{cast::v1::PHASE_MESSAGE, 2}, 1},
      {{cast::v1::PHASE_STATE, 0}, 1},   {{cast::v1::PHASE_STATE, 1}, 1},   {{cast::v1::PHASE_CLOSE, 0}, 1}};
  std::set<std::string> agents;
  for (const auto& user : users) {
    auto events = sink.of_user(user.index());
    CHECK(finished_steps(events) == expected);
    std::string agent;
    int frames = 0;
    for (const auto& event : events) {
      if (event.kind() == cast::v1::FRAME_RECEIVED && !event.request_id().empty()) {
        ++frames;
        CHECK_MESSAGE(event.request_id().rfind(user.request_id_prefix(), 0) == 0, event.request_id());
        CHECK(event.original_size() == event.payload().size());
        CHECK_FALSE(event.truncated());
        agent = agent.empty() ? event.agent_id() : agent;
        CHECK(event.agent_id() == agent);
      }
      if (event.kind() == cast::v1::REST_ANSWER && event.phase() != cast::v1::PHASE_TOKEN) {
        CHECK(json::parse(event.payload())["user_id"] == user.user_id());
        CHECK(event.agent_id() == agent);
      }
    }
    CHECK(frames == 5);  // agent_started, three agent_response, agent_state
    // A step is reported once, at its end; the agent id rides on the start
    // step's end only, where the controller takes it from.
    for (const auto& event : events) {
      CHECK(event.kind() != cast::v1::PHASE_STARTED);
      if (event.kind() == cast::v1::PHASE_FINISHED) {
        CHECK(event.agent_id() == (event.phase() == cast::v1::PHASE_START ? agent : ""));
      }
    }
    CHECK(std::string(events.back().kind() == cast::v1::USER_DONE ? "done" : "not done") == "done");
    agents.insert(agent);
  }
  CHECK(agents.size() == 50);
}

// A worker that takes over the users of one lost before the go prepares
// them as a further part; they join the same loops and start with the rest.
TEST_CASE("users prepared in two parts before the start all run on the loops; none may join once started") {
  ReferencePlatform platform;
  auto run_id = "vp" + std::to_string(::getpid());
  CollectingSink sink;
  auto users = make_user_specs(7, run_id);
  worker::UserEngine engine(setup_for(platform, run_id), sink, {2});
  CHECK(engine.prepare({users.begin(), users.begin() + 3}) == 3);
  CHECK(engine.prepare({users.begin() + 3, users.end()}) == 4);
  engine.start(std::chrono::steady_clock::now() + std::chrono::milliseconds{50});
  CHECK_THROWS_AS(engine.prepare({users.front()}), std::logic_error);
  auto summary = engine.wait();
  CHECK(summary.users == 7);
  CHECK(summary.succeeded == 7);
  for (const auto& user : users) {
    CAPTURE(user.user_id());
    CHECK(sink.of_user(user.index()).size() > 1);
  }
}

TEST_CASE("payloads over the cap are cut and flagged, never silently") {
  ReferencePlatform platform;
  auto setup = setup_for(platform, "cap" + std::to_string(::getpid()));
  setup.payload_cap_bytes = 40;
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(2, setup.run_id));
  CHECK(summary.succeeded == 2);
  auto frames = sink.of_kind(cast::v1::FRAME_RECEIVED);
  REQUIRE_FALSE(frames.empty());
  for (const auto& frame : frames) {
    CHECK(frame.payload().size() <= 40);
    CHECK(frame.truncated() == (frame.original_size() > 40));
    CHECK_FALSE(frame.request_id().empty());  // extracted from the whole frame, not the cut payload
  }
}

TEST_CASE("a message longer than the scenario-sized write buffer still arrives whole and is answered") {
  ReferencePlatform platform;
  auto setup = setup_for(platform, "big" + std::to_string(::getpid()));
  // The buffer is sized from the scenario's frames, at most 4 KB; this
  // frame needs several buffer-fulls.
  setup.scenario.messages = {
      worker::TextTemplate::compile(std::string(9000, 'x') + " {{canary}}", worker::TemplateEscape::none)};
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(2, setup.run_id));
  CHECK(summary.succeeded == 2);
  CHECK(summary.failed == 0);
  for (const auto& frame : sink.of_kind(cast::v1::FRAME_RECEIVED)) {
    if (frame.phase() == cast::v1::PHASE_MESSAGE) {
      CHECK(frame.original_size() > 9000);  // the reference echoes the whole content
    }
  }
}

TEST_CASE("slow_start with a 1 s start timeout fails users in the start phase with a timeout, not a hang") {
  ReferenceOptions options;
  options.faults = {"slow_start"};
  ReferencePlatform platform(options);
  auto setup = setup_for(platform, "slow" + std::to_string(::getpid()));
  setup.timeouts.start = std::chrono::milliseconds{1'000};
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(6, setup.run_id));
  CHECK(summary.failed == 6);
  CHECK(summary.errors_by_kind["timeout"] == 6);
  CHECK(summary.failures_by_phase["PHASE_START"] == 6);
  auto failures = sink.of_kind(cast::v1::USER_FAILED);
  REQUIRE(failures.size() == 6);
  for (const auto& failure : failures) {
    CHECK(failure.phase() == cast::v1::PHASE_START);
    CHECK(failure.error_kind() == "timeout");
    CHECK(failure.duration_us() >= 1'000'000);
  }
}

TEST_CASE("drop_connections makes closed connections and failed users, each named") {
  ReferenceOptions options;
  options.faults = {"drop_connections:1"};
  ReferencePlatform platform(options);
  auto setup = setup_for(platform, "drop" + std::to_string(::getpid()));
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(8, setup.run_id));
  CHECK(summary.failed == 8);
  auto closed = sink.of_kind(cast::v1::CONNECTION_CLOSED);
  auto failures = sink.of_kind(cast::v1::USER_FAILED);
  CHECK(closed.size() == 8);
  REQUIRE(failures.size() == 8);
  for (const auto& failure : failures) {
    CHECK(failure.phase() == cast::v1::PHASE_MESSAGE);
    CHECK((failure.error_kind() == "closed" || failure.error_kind() == "reset"));
  }
}

TEST_CASE("a whole-run timeout ends every user, naming the phase it caught them in") {
  ReferenceOptions options;
  options.faults = {"slow_start"};
  ReferencePlatform platform(options);
  auto setup = setup_for(platform, "runto" + std::to_string(::getpid()));
  setup.timeouts.run = std::chrono::milliseconds{1'500};
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(4, setup.run_id));
  CHECK(summary.failed == 4);
  for (const auto& failure : sink.of_kind(cast::v1::USER_FAILED)) {
    CHECK(failure.phase() == cast::v1::PHASE_START);
    CHECK(failure.error_kind() == "run_timeout");
  }
}

TEST_CASE("an unreachable auth service fails every user in the token phase as refused") {
  worker::RunSetup setup;
  setup.auth_url = "http://127.0.0.1:1";
  setup.backend_url = "http://127.0.0.1:1";
  setup.ws_url = "ws://127.0.0.1:1/ws";
  CollectingSink sink;
  auto summary = run_users(setup, sink, make_user_specs(3, "refused1"));
  CHECK(summary.failed == 3);
  CHECK(summary.errors_by_kind["refused"] == 3);
  for (const auto& failure : sink.of_kind(cast::v1::USER_FAILED)) {
    CHECK(failure.phase() == cast::v1::PHASE_TOKEN);
    CHECK(failure.error_message().find("http://127.0.0.1:1") != std::string::npos);
  }
}

}  // namespace cast::test

namespace cast::test {

TEST_CASE("the head of every HTTP answer and upgrade is captured; header_leak shows another user in it") {
  ReferencePlatform platform({.faults = {"header_leak"}});
  auto run_id = "hd" + std::to_string(::getpid());
  CollectingSink sink;
  auto users = make_user_specs(6, run_id);
  auto summary = run_users(setup_for(platform, run_id), sink, users);
  CHECK(summary.succeeded == 6);
  std::size_t foreign_heads = 0;
  for (const auto& user : users) {
    int upgrades = 0, rest_heads = 0;
    for (const auto& event : sink.of_user(user.index())) {
      if (event.kind() == cast::v1::UPGRADE_ANSWERED) {
        ++upgrades;
        CHECK(event.head().rfind("HTTP/1.1 101", 0) == 0);
        CHECK(event.phase() == cast::v1::PHASE_CONNECT);
      }
      if (event.kind() == cast::v1::REST_ANSWER) {
        ++rest_heads;
        CHECK(event.head().rfind("HTTP/1.1 200", 0) == 0);
        if (event.phase() == cast::v1::PHASE_TOKEN) {
          CHECK(event.payload().empty());  // a granted token is never reported
        }
      }
      auto at = event.head().find("X-Last-Caller: ");
      if (at != std::string::npos) {
        CHECK(event.head().find(user.user_id(), at) == std::string::npos);  // never the caller itself
        ++foreign_heads;
      }
    }
    CHECK(upgrades == 1);
    CHECK(rest_heads == 2);  // the token answer and the REST state read
  }
  CHECK(foreign_heads > 0);
}

}  // namespace cast::test
