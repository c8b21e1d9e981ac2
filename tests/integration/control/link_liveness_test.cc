// The worker's half of liveness over real gRPC on 127.0.0.1: a real
// Coordinator and a real ControllerLink in one process. Both read the same
// steady clock here, so the controller's NTP-style estimate can be held to
// what it must be: off by at most half its own round trip.
#include <doctest/doctest.h>

#include <cstdlib>

#include "controller/coordination/coordinator.h"
#include "tests/integration/control/loopback_control.h"
#include "tests/support/eventually.h"
#include "tests/support/grpc_callback_queue.h"
#include "worker/control/controller_link.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using cast::test::eventually;
using cast::test::loopback_link_config;
using cast::test::one_user_assignment;
using cast::test::ready_with_one_user;
using cast::test::snapshot_of;
using cast::worker::ControllerLink;

namespace {

constexpr auto patience = 60s;  // generous: the machine is shared

std::int64_t micros(std::chrono::steady_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("a link answers the Pings: the offset is within half the round trip, and the Go lands on the instant") {
  cast::test::keep_grpc_callback_queue();
  Coordinator coordinator(CoordinatorConfig{}, {});
  auto port = coordinator.start();
  ControllerLink link(loopback_link_config(port, "w-pong"));
  ready_with_one_user(coordinator, link, "w-pong", "run-link-liveness");
  REQUIRE(eventually([&] { return snapshot_of(coordinator, "w-pong").clock.samples() >= 3; }));

  auto at = coordinator.broadcast_go(2s);
  auto go = link.wait_for_go(patience);
  REQUIRE(go);
  auto worker = snapshot_of(coordinator, "w-pong");
  REQUIRE(worker.clock.known());
  // One clock on both ends: the true offset is 0, and the estimate can be
  // off by at most half of the round trip it came from.
  auto half_trip = worker.clock.best_round_trip_us() / 2 + 1;
  CHECK(worker.clock.best_round_trip_us() >= 0);
  CHECK(std::abs(worker.clock.offset_us()) <= half_trip);
  // The Go named the instant on the worker's clock, and the link used it.
  REQUIRE(worker.start_at_worker_us != 0);
  CHECK(micros(*go) == worker.start_at_worker_us);
  CHECK(std::abs(micros(*go) - micros(at)) <= half_trip);
  CHECK_FALSE(link.controller_lost());
  link.abandon();
  coordinator.shutdown();
}

TEST_CASE("a link whose controller stops pinging takes it for dead, stops for good and hands out no go") {
  cast::test::keep_grpc_callback_queue();
  CoordinatorConfig silent;
  silent.ping_interval = 1h;  // the controller answers the Hello, then says nothing more
  silent.silence_timeout = 1h;
  Coordinator coordinator(silent, {});
  auto port = coordinator.start();
  auto config = loopback_link_config(port, "w-orphan");
  config.controller_silence = 500ms;
  ControllerLink link(config);
  link.start();
  coordinator.wait_for_workers(1, patience);
  coordinator.assign("w-orphan", one_user_assignment("run-link-liveness"));
  REQUIRE(link.wait_for_assignment(patience));
  link.report_ready(1);
  REQUIRE(eventually([&] { return link.controller_lost(); }));
  REQUIRE(link.failure());
  CHECK(link.failure()->find("taken for dead") != std::string::npos);
  CHECK(link.failure()->find("w-orphan") != std::string::npos);
  CHECK_FALSE(link.wait_for_go(1s));  // stopped: nothing to wait for
  CHECK_FALSE(link.wait_for_probe_plan(1s));
  CHECK_FALSE(link.released());             // lost is not the end of the run
  CHECK(link.stats().streams_opened == 1);  // and it never dialled again
  coordinator.shutdown();
}
