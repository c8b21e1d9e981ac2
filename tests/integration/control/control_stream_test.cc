// The control contract over real gRPC on 127.0.0.1: one Coordinator and
// several ControllerLinks in one process, each link driven by its own thread
// the way a worker's main thread would drive it.
#include <doctest/doctest.h>

#include <thread>

#include "controller/coordination/coordinator.h"
#include "tests/integration/control/loopback_control.h"
#include "tests/integration/control/scripted_run.h"
#include "tests/support/time_scale.h"
#include "worker/control/controller_link.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using namespace cast::test;  // the scripted worker and controller, and what they share
using cast::worker::ControllerLink;
using cast::worker::ControllerLinkConfig;

namespace {

ControllerLinkConfig link_config(std::uint16_t port, const std::string& worker_id, const std::string& token) {
  auto config = loopback_link_config(port, worker_id, token);
  config.heartbeat_interval = 50ms;
  return with_scaled_silence(config);
}

}  // namespace

TEST_CASE("three workers get their users, start on one go and deliver every event exactly once") {
  EventCollector collected;
  CoordinatorConfig config;
  config.auth_token = "s3cret";
  Coordinator coordinator(with_scaled_deadlines(config), collected.sink());
  auto port = coordinator.start();
  REQUIRE(port != 0);

  const std::vector<std::string> ids{"w-a", "w-b", "w-c"};
  constexpr int events = 10'000;
  std::vector<std::unique_ptr<ControllerLink>> links;
  std::vector<WorkerOutcome> outcomes(ids.size());
  std::vector<std::thread> threads;
  // Every link exists before any thread reads the vector: a push_back that
  // reallocates under a running thread is a data race (ThreadSanitizer).
  for (const auto& id : ids) {
    links.push_back(std::make_unique<ControllerLink>(link_config(port, id, "s3cret")));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] { outcomes[i] = run_worker(*links[i], events); });
  }
  drive_run(coordinator, ids);
  for (auto& thread : threads) {
    thread.join();
  }

  for (std::size_t i = 0; i < ids.size(); ++i) {
    CAPTURE(ids[i]);
    auto expected_users = assignment_for(ids[i], static_cast<std::uint32_t>(4 * i));
    REQUIRE(outcomes[i].user_ids.size() == 4);
    CHECK(outcomes[i].user_ids.front() == expected_users.users(0).user_id());
    CHECK(outcomes[i].got_go);
    CHECK(outcomes[i].drained);
    CHECK(outcomes[i].closed);
    CHECK(outcomes[i].stats.unacknowledged == 0);
    CHECK(outcomes[i].stats.acknowledged == events);
    CHECK(collected.seqs(ids[i]) == one_to(events));

    auto snapshot = snapshot_of(coordinator, ids[i]);
    CHECK(snapshot.state == WorkerState::done);
    CHECK(snapshot.events_received == events);
    CHECK(snapshot.duplicates == 0);
    CHECK(snapshot.gaps == 0);
    CHECK(snapshot.users_prepared == 4);
    CHECK(snapshot.hello.auth_token().empty());
    REQUIRE(snapshot.done);
    CHECK(snapshot.done->events_emitted() == events);
  }
}

TEST_CASE("a worker whose stream breaks mid-run reconnects and resends only what is missing") {
  EventCollector collected;
  Coordinator coordinator(with_scaled_deadlines(CoordinatorConfig{}), collected.sink());
  auto port = coordinator.start();

  constexpr int events = 10'000;
  ControllerLink steady(link_config(port, "w-steady", ""));
  ControllerLink flaky(link_config(port, "w-flaky", ""));
  WorkerOutcome steady_outcome;
  WorkerOutcome flaky_outcome;
  std::thread steady_thread([&] { steady_outcome = run_worker(steady, events); });
  std::thread flaky_thread([&] { flaky_outcome = run_worker(flaky, events, [&] { flaky.interrupt(); }); });
  drive_run(coordinator, {"w-steady", "w-flaky"});
  steady_thread.join();
  flaky_thread.join();

  CHECK(flaky_outcome.stats.streams_opened >= 2);
  CHECK(flaky_outcome.drained);
  CHECK(flaky_outcome.stats.unacknowledged == 0);
  CHECK(collected.seqs("w-flaky") == one_to(events));
  CHECK(collected.seqs("w-steady") == one_to(events));

  auto snapshot = snapshot_of(coordinator, "w-flaky");
  CHECK(snapshot.reconnects >= 1);
  CHECK(snapshot.state == WorkerState::done);
  CHECK(snapshot.events_received == events);
  CHECK(snapshot.duplicates == 0);
  CHECK(snapshot.gaps == 0);
}

TEST_CASE("a worker that vanishes is reported lost and its events are kept") {
  EventCollector collected;
  CoordinatorConfig config;
  config.reconnect_grace = 200ms;
  Coordinator coordinator(with_scaled_deadlines(config), collected.sink());
  auto port = coordinator.start();

  ControllerLink staying(link_config(port, "w-staying", ""));
  ControllerLink vanishing(link_config(port, "w-vanishing", ""));
  WorkerOutcome staying_outcome;
  std::thread staying_thread([&] { staying_outcome = run_worker(staying, 1'000); });
  std::thread vanishing_thread([&] {
    vanishing.start();
    if (vanishing.wait_for_assignment(patience)) {
      vanishing.report_ready(4);
      vanishing.wait_for_go(patience);
      for (int i = 0; i < 500; ++i) {
        vanishing.emit(step_event(0));
      }
      vanishing.wait_until_acknowledged(patience);
    }
    vanishing.abandon();
  });
  drive_run(coordinator, {"w-staying", "w-vanishing"});
  staying_thread.join();
  vanishing_thread.join();

  auto lost = snapshot_of(coordinator, "w-vanishing");
  CHECK(lost.state == WorkerState::lost);
  CHECK(lost.events_received == 500);
  CHECK(collected.seqs("w-vanishing") == one_to(500));
  CHECK(snapshot_of(coordinator, "w-staying").state == WorkerState::done);
  CHECK(collected.seqs("w-staying") == one_to(1'000));
}

TEST_CASE("a worker with the wrong auth token is refused with the reason") {
  CoordinatorConfig config;
  config.auth_token = "right";
  Coordinator coordinator(with_scaled_deadlines(config), {});
  auto port = coordinator.start();

  for (const std::string token : {"wrong", ""}) {
    CAPTURE(token);
    ControllerLink link(link_config(port, "w-intruder", token));
    link.start();
    CHECK_FALSE(link.wait_for_assignment(patience));
    auto failure = link.failure();
    REQUIRE(failure);
    CHECK(failure->find("refused worker w-intruder") != std::string::npos);
    CHECK(failure->find("auth token") != std::string::npos);
  }
  CHECK(coordinator.workers().empty());
  CHECK_THROWS_AS(coordinator.wait_for_workers(1, 100ms), cast::controller::CoordinationError);
}

TEST_CASE("heartbeats and an abort travel the stream") {
  Coordinator coordinator(with_scaled_deadlines(CoordinatorConfig{}), {});
  auto port = coordinator.start();
  ControllerLink link(link_config(port, "w-beating", ""), [] {
    cast::v1::Heartbeat heartbeat;
    heartbeat.set_cpu_percent(12.5);
    (*heartbeat.mutable_users_by_phase())["connect"] = 3;
    return heartbeat;
  });
  link.start();
  coordinator.wait_for_workers(1, patience);

  std::optional<cast::v1::Heartbeat> heartbeat;
  for (auto deadline = std::chrono::steady_clock::now() + patience;
       !heartbeat && std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(20ms)) {
    heartbeat = snapshot_of(coordinator, "w-beating").last_heartbeat;
  }
  REQUIRE(heartbeat);
  CHECK(heartbeat->cpu_percent() == doctest::Approx(12.5));
  CHECK(heartbeat->users_by_phase().at("connect") == 3);
  CHECK(heartbeat->rss_bytes() > 0);

  coordinator.abort("platform unreachable");
  CHECK_FALSE(link.wait_for_go(patience));
  CHECK(link.abort_reason() == "platform unreachable");
}

TEST_CASE("after Done a worker stays attached for probe rounds, each handed out once, until the Release") {
  EventCollector collected;
  Coordinator coordinator(with_scaled_deadlines(CoordinatorConfig{}), collected.sink());
  auto port = coordinator.start();
  ControllerLink link(link_config(port, "w-probing", ""));
  AfterDone outcome;
  std::thread worker([&] { outcome = serve_after_done(link); });
  drive_run(coordinator, {"w-probing"});
  std::this_thread::sleep_for(200ms);  // a worker that closed after Done would be detached by now
  CHECK(snapshot_of(coordinator, "w-probing").attached);

  for (std::uint32_t round : {1u, 2u}) {
    cast::v1::ProbePlan plan;
    plan.set_round(round);
    coordinator.send_probe_plan("w-probing", plan);
    coordinator.send_probe_plan("w-probing", plan);  // a repeat is not a new round
    CHECK(coordinator.wait_for_probes(round, patience));
  }
  coordinator.release("run over");
  worker.join();
  CHECK(outcome.rounds == std::vector<std::uint32_t>{1, 2});
  CHECK(outcome.released);
  CHECK(outcome.closed);
  CHECK(collected.seqs("w-probing") == one_to(3));
  auto snapshot = snapshot_of(coordinator, "w-probing");
  CHECK(snapshot.state == WorkerState::done);
  REQUIRE(snapshot.probe_done);
  CHECK(snapshot.probe_done->round() == 2);
}

TEST_CASE("a done worker whose controller ends the stream takes it as the Release") {
  Coordinator coordinator(with_scaled_deadlines(CoordinatorConfig{}), {});
  auto port = coordinator.start();
  ControllerLink link(link_config(port, "w-released", ""));
  AfterDone outcome;
  std::thread worker([&] { outcome = serve_after_done(link); });
  drive_run(coordinator, {"w-released"});
  coordinator.shutdown();
  worker.join();
  CHECK(outcome.rounds.empty());
  CHECK(outcome.released);
  CHECK(outcome.closed);
  CHECK_FALSE(link.failure());
}
