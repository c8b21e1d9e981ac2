// Liveness and admission at the coordinator, seen from the wire: raw
// workers that fall silent, leave, flood, or should not be there at all.
// Real gRPC on loopback; times are measured and printed, and asserted only
// against generous bounds.
#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include <thread>

#include "controller/coordination/coordinator.h"
#include "tests/support/eventually.h"
#include "tests/support/grpc_callback_queue.h"
#include "tests/support/raw_worker.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using cast::test::eventually;
using cast::test::RawWorker;
using Clock = std::chrono::steady_clock;

namespace {

struct Controller {
  explicit Controller(CoordinatorConfig config) : coordinator(std::move(config), {}) {
    cast::test::keep_grpc_callback_queue();  // many coordinators in one process
    auto port = coordinator.start();
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    stub = cast::v1::Control::NewStub(channel);
  }
  std::optional<WorkerSnapshot> worker(const std::string& id) {
    for (auto& snapshot : coordinator.workers()) {
      if (snapshot.worker_id == id) return snapshot;
    }
    return std::nullopt;
  }
  bool given_up(const std::string& id) {
    auto w = worker(id);
    return w && w->given_up;
  }

  Coordinator coordinator;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<cast::v1::Control::Stub> stub;
};

CoordinatorConfig with_deadlines() {
  CoordinatorConfig config;
  config.ping_interval = 250ms;
  config.silence_timeout = 1500ms;
  config.reconnect_grace = 1000ms;
  config.admission.protocol_version = cast::kControlProtocolVersion;
  return config;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

TEST_CASE("a worker that falls silent (a stopped process, a cut link) is lost at the deadline and may not rejoin") {
  Controller controller(with_deadlines());
  RawWorker raw(*controller.stub);
  raw.hello("w-silent");
  CHECK(raw.next_ack() == 0);
  raw.events({1, 2, 3});
  CHECK(raw.next_ack() == 3);
  // From here on it answers nothing, as a SIGSTOPped worker or one behind a
  // cut link would: its TCP connection stays up, no reset arrives.
  auto silent_since = Clock::now();
  REQUIRE(eventually([&] { return controller.given_up("w-silent"); }, 30s, 10ms));
  double detected_s = seconds_since(silent_since);
  MESSAGE("silent worker declared lost after " << detected_s << " s (deadline 1.5 s)");
  CHECK(detected_s >= 1.4);
  CHECK(detected_s < 10);
  auto lost = *controller.worker("w-silent");
  CHECK(lost.state == WorkerState::lost);
  CHECK(lost.lost_reason.find("silent for") != std::string::npos);
  CHECK(lost.events_received == 3);
  CHECK(controller.coordinator.wait_for_finish(1s));

  RawWorker again(*controller.stub);
  again.hello("w-silent");
  auto status = again.ended();
  CHECK(status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(status.error_message().find("declared lost") != std::string::npos);
}

TEST_CASE("a run that ends on a worker's reconnect grace finds that worker given up, never merely away") {
  auto config = with_deadlines();
  config.silence_timeout = 60s;  // this raw worker answers no Ping
  config.ping_interval = 60s;    // no liveness tick gives it up in time
  config.reconnect_grace = 300ms;
  Controller controller(config);
  {
    RawWorker gone(*controller.stub);
    gone.hello("w-gone");
    CHECK(gone.next_ack() == 0);
    gone.context.TryCancel();
  }
  REQUIRE(controller.coordinator.wait_for_finish(30s));
  // Unless given up, the run's accounting (RunLoop::account_lost_workers)
  // would report the worker's unfinished users as neither lost nor done.
  CHECK(controller.given_up("w-gone"));
  CHECK(controller.worker("w-gone")->lost_reason.find("not back within 300 ms") != std::string::npos);
}

TEST_CASE("a worker whose stream closes is lost after the reconnect grace unless it comes back") {
  auto config = with_deadlines();
  config.silence_timeout = 60s;  // these raw workers answer no Ping
  Controller controller(config);
  {
    RawWorker leaving(*controller.stub);
    leaving.hello("w-back");
    CHECK(leaving.next_ack() == 0);
    leaving.context.TryCancel();
  }
  RawWorker back(*controller.stub);
  back.hello("w-back");
  CHECK(back.next_ack() == 0);
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(controller.given_up("w-back"));

  auto closed_at = Clock::now();
  {
    RawWorker gone(*controller.stub);
    gone.hello("w-gone");
    CHECK(gone.next_ack() == 0);
    closed_at = Clock::now();
    gone.context.TryCancel();
  }
  REQUIRE(eventually([&] { return controller.given_up("w-gone"); }, 30s, 10ms));
  MESSAGE("closed stream declared lost after " << seconds_since(closed_at) << " s (grace 1 s)");
  CHECK(controller.worker("w-gone")->lost_reason.find("not back within 1000 ms") != std::string::npos);
  CHECK(controller.worker("w-back")->attached);
}

TEST_CASE(
    "workers beyond the expected count, duplicate ids, other versions and late workers are refused with a reason") {
  auto config = with_deadlines();
  config.admission.expected_workers = 2;
  config.silence_timeout = 60s;
  Controller controller(config);
  RawWorker first(*controller.stub), second(*controller.stub);
  first.hello("w-1", 11);
  second.hello("w-2", 12);
  CHECK(first.next_ack() == 0);
  CHECK(second.next_ack() == 0);

  RawWorker third(*controller.stub);
  third.hello("w-3", 13);
  auto extra = third.ended();
  CHECK(extra.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(extra.error_message().find("expects 2 workers") != std::string::npos);

  RawWorker impostor(*controller.stub);
  impostor.hello("w-1", 99);
  auto duplicate = impostor.ended();
  CHECK(duplicate.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(duplicate.error_message().find("already taken by pid 11") != std::string::npos);

  RawWorker old(*controller.stub);
  old.hello("w-2", 12, cast::kControlProtocolVersion + 1);
  auto version = old.ended();
  CHECK(version.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(version.error_message().find("protocol version") != std::string::npos);

  controller.coordinator.broadcast_go(100ms);
  RawWorker late(*controller.stub);
  late.hello("w-late", 14);
  auto refused_late = late.ended();
  CHECK(refused_late.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(refused_late.error_message().find("late") != std::string::npos);

  CHECK(controller.coordinator.workers().size() == 2);
  CHECK(controller.worker("w-1")->attached);  // the impostor did not take its stream
  CHECK(controller.worker("w-2")->attached);
}

TEST_CASE("Pings give each worker's clock offset, and the Go names the common instant on the worker's clock") {
  auto config = with_deadlines();
  config.ping_interval = 50ms;
  Controller controller(config);
  RawWorker raw(*controller.stub);
  raw.hello("w-clock");
  constexpr std::int64_t kAhead = 10'000'000;  // this worker's clock reads 10 s ahead
  CHECK(raw.answer_pings(kAhead).has_ack());
  std::thread answering([&] {
    auto go = raw.answer_pings(kAhead);
    CHECK(go.has_go());
    auto at = controller.coordinator.workers().front().start_at_worker_us;
    CHECK(go.go().start_at_worker_us() == at);
    raw.context.TryCancel();
  });
  REQUIRE(eventually([&] { return controller.worker("w-clock")->clock.samples() >= 5; }, 30s, 10ms));
  auto estimate = controller.worker("w-clock")->clock;
  MESSAGE("loopback round trip " << estimate.best_round_trip_us() << " us, offset " << estimate.offset_us() << " us");
  CHECK(std::llabs(estimate.offset_us() - kAhead) <= estimate.best_round_trip_us() / 2 + 1);
  auto go_at = controller.coordinator.broadcast_go(1s);
  answering.join();
  auto sent = controller.worker("w-clock")->start_at_worker_us;
  auto go_us = std::chrono::duration_cast<std::chrono::microseconds>(go_at.time_since_epoch()).count();
  CHECK(std::llabs(sent - (go_us + kAhead)) <= estimate.best_round_trip_us() / 2 + 1);
}

TEST_CASE("a worker that sends oversized or too many messages is cut off with the reason; the others carry on") {
  auto config = with_deadlines();
  config.silence_timeout = 60s;
  config.bounds.max_payload_bytes = 1'000;
  config.bounds.messages_per_second = 50;
  config.bounds.burst_messages = 100;
  Controller controller(config);
  RawWorker fine(*controller.stub), bloated(*controller.stub), flooding(*controller.stub);
  fine.hello("w-fine");
  bloated.hello("w-bloated");
  flooding.hello("w-flooding");
  CHECK(fine.next_ack() == 0);
  CHECK(bloated.next_ack() == 0);
  CHECK(flooding.next_ack() == 0);

  cast::v1::WorkerMessage big;
  auto* event = big.mutable_events()->add_events();
  event->set_seq(1);
  event->set_payload(std::string(5'000, 'x'));
  bloated.send(big);
  auto cut = bloated.ended();
  CHECK(cut.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(cut.error_message().find("5000-byte payload") != std::string::npos);

  cast::v1::WorkerMessage beat;
  beat.mutable_heartbeat()->set_rss_bytes(1);
  for (int i = 0; i < 1'000 && flooding.send(beat); ++i) {
  }
  auto flood = flooding.ended();
  CHECK(flood.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(flood.error_message().find("messages per second") != std::string::npos);

  REQUIRE(eventually([&] { return controller.given_up("w-bloated") && controller.given_up("w-flooding"); }));
  CHECK(controller.worker("w-bloated")->events_received == 0);
  fine.events({1, 2});
  CHECK(fine.next_ack() == 2);
}
