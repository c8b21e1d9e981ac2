// The coordinator as a worker on the wire sees it: a plain synchronous gRPC
// client speaks cast.v1 by hand, so every Ack and every count can be checked
// exactly, with no link logic in between.
#include <doctest/doctest.h>
#include <grpcpp/grpcpp.h>

#include <mutex>
#include <thread>

#include "cast_control.grpc.pb.h"
#include "controller/coordination/coordinator.h"
#include "tests/integration/control/loopback_control.h"
#include "tests/support/raw_worker.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using cast::test::RawWorker;

namespace {

// These raw workers never answer a Ping: by default the liveness deadline
// is far away, so that only the tests about liveness meet it.
CoordinatorConfig patient() {
  CoordinatorConfig config;
  config.silence_timeout = 60s;
  config.reconnect_grace = 30s;
  return config;
}

struct Harness {
  explicit Harness(CoordinatorConfig config = patient())
      : coordinator(std::move(config), [this](const std::string&, std::vector<cast::v1::Event>&& events) {
          std::lock_guard lock(mutex);
          for (const auto& event : events) {
            received.push_back(event.seq());
          }
        }) {
    auto port = coordinator.start();
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    stub = cast::v1::Control::NewStub(channel);
  }
  WorkerSnapshot worker(const std::string& id) { return cast::test::snapshot_of(coordinator, id); }
  std::vector<std::uint64_t> seqs() {
    std::lock_guard lock(mutex);
    return received;
  }

  std::mutex mutex;
  std::vector<std::uint64_t> received;
  Coordinator coordinator;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<cast::v1::Control::Stub> stub;
};

}  // namespace

TEST_CASE("the coordinator answers Hello with what it holds and acks each batch") {
  Harness harness;
  RawWorker first(*harness.stub);
  first.hello("w-raw");
  CHECK(first.next_ack() == 0);
  first.events({1, 2, 3, 4});
  CHECK(first.next_ack() == 4);
  first.events({5, 6});
  CHECK(first.next_ack() == 6);

  first.context.TryCancel();
  first.stream->Finish();
  RawWorker second(*harness.stub);
  second.hello("w-raw");
  // The resume point: the worker must resend from 7, whatever it thinks was acked.
  CHECK(second.next_ack() == 6);
  second.events({5, 6, 7});
  CHECK(second.next_ack() == 7);

  auto snapshot = harness.worker("w-raw");
  CHECK(snapshot.reconnects == 1);
  CHECK(snapshot.duplicates == 2);
  CHECK(snapshot.events_received == 7);
  CHECK(harness.seqs() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("the coordinator acks only up to a gap and counts it") {
  Harness harness;
  RawWorker raw(*harness.stub);
  raw.hello("w-gappy");
  CHECK(raw.next_ack() == 0);
  raw.events({1, 2, 5});
  CHECK(raw.next_ack() == 2);
  raw.events({3, 4});
  CHECK(raw.next_ack() == 5);
  auto snapshot = harness.worker("w-gappy");
  CHECK(snapshot.gaps == 1);
  CHECK(snapshot.contiguous_seq == 5);
  CHECK(snapshot.duplicates == 0);
}

TEST_CASE("a stream that does not start with Hello is refused") {
  Harness harness;
  RawWorker raw(*harness.stub);
  raw.events({1});
  cast::v1::ControllerMessage ignored;
  CHECK_FALSE(raw.stream->Read(&ignored));
  auto status = raw.stream->Finish();
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message().find("Hello") != std::string::npos);
  CHECK(harness.coordinator.workers().empty());
}

TEST_CASE("a re-assignment survives a reconnect before the worker is ready") {
  Harness harness;
  {
    RawWorker raw(*harness.stub);
    raw.hello("w-early");
    CHECK(raw.next_ack() == 0);
    cast::v1::Assignment assignment;
    assignment.set_run_id("run-1");
    harness.coordinator.assign("w-early", assignment);
    CHECK(raw.next().assignment().run_id() == "run-1");
    raw.context.TryCancel();
    raw.stream->Finish();
  }
  RawWorker again(*harness.stub);
  again.hello("w-early");
  CHECK(again.next_ack() == 0);
  CHECK(again.next().assignment().run_id() == "run-1");
  CHECK(harness.worker("w-early").state == WorkerState::assigned);
}

TEST_CASE("a probe plan sent while the worker is away arrives on its next stream; ProbeDone and Release follow") {
  Harness harness;
  auto send_state = [](RawWorker& raw, auto fill) {
    cast::v1::WorkerMessage message;
    fill(message);
    REQUIRE(raw.stream->Write(message));
  };
  {
    RawWorker raw(*harness.stub);
    raw.hello("w-prober");
    CHECK(raw.next_ack() == 0);
    send_state(raw, [](auto& m) { m.mutable_done()->set_users_succeeded(1); });
    for (int i = 0; i < 200 && harness.worker("w-prober").state != WorkerState::done; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    CHECK(harness.worker("w-prober").state == WorkerState::done);
    raw.context.TryCancel();
    raw.stream->Finish();
  }
  // A done worker that leaves is not lost: it had nothing more to send.
  for (int i = 0; i < 200 && harness.worker("w-prober").attached; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK(harness.worker("w-prober").state == WorkerState::done);
  CHECK(harness.coordinator.wait_for_finish(1s));

  cast::v1::ProbePlan plan;
  plan.set_round(1);
  plan.add_attacks()->set_victim_agent_id("agent-x");
  harness.coordinator.send_probe_plan("w-prober", plan);
  CHECK(harness.worker("w-prober").state == WorkerState::probing);
  CHECK_FALSE(harness.coordinator.wait_for_probes(1, 50ms));

  RawWorker again(*harness.stub);
  again.hello("w-prober");
  CHECK(again.next_ack() == 0);
  auto resent = again.next();
  REQUIRE(resent.has_probe_plan());
  CHECK(resent.probe_plan().attacks(0).victim_agent_id() == "agent-x");
  // A Done resent on the new stream does not end the probe round.
  send_state(again, [](auto& m) { m.mutable_done()->set_users_succeeded(1); });
  send_state(again, [](auto& m) { m.mutable_probe_done()->set_round(1); });
  CHECK(harness.coordinator.wait_for_probes(1, 30s));
  auto snapshot = harness.worker("w-prober");
  CHECK(snapshot.state == WorkerState::done);
  REQUIRE(snapshot.probe_done);
  CHECK(snapshot.probe_done->round() == 1);

  harness.coordinator.release("run over");
  auto release = again.next();
  REQUIRE(release.has_release());
  CHECK(release.release().reason() == "run over");
}
