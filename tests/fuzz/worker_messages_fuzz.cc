// libFuzzer target: arbitrary worker messages, in arbitrary order, on up to
// four streams, into the coordinator's core (admission, bounds, ledger,
// clock samples, liveness) and the run's event ledger, with no network.
// Whatever a worker sends, the controller must not crash, hang or break
// its own bookkeeping.
//
// Input: records of [op byte][length byte][length bytes]. The op's low two
// bits pick a stream; the rest picks what happens: a message parsed from
// the bytes (or a well-formed Hello built from them, so the fuzzer gets
// past the greeting), the stream closing or going silent, or the
// controller's side moving on (assignments, the go, probe rounds).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "cast_control.pb.h"
#include "common/protocol/control_version.h"
#include "controller/coordination/coordinator_core.h"
#include "controller/probes/probe_result.h"
#include "controller/run/event_ledger.h"

namespace {

using namespace cast;
using namespace cast::controller;

class FakeStream final : public StreamEnd {
 public:
  explicit FakeStream(const MessageBounds& bounds) : StreamEnd(bounds) {}
  void send(v1::ControllerMessage message) override { sent += message.ByteSizeLong() > 0 ? 1 : 0; }
  void end(const EndStatus&) override { ended = true; }
  void cancel() override { ended = true; }
  const std::string& peer() const override { return peer_; }
  std::int64_t last_heard_us() const override { return silent ? 0 : now_us(); }
  static std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::size_t sent = 0;
  bool ended = false;
  bool silent = false;

 private:
  std::string peer_{"fuzz:0"};
};

constexpr std::uint32_t kUsers = 16;

CoordinatorConfig fuzz_config() {
  CoordinatorConfig config;
  config.auth_token = "t";
  config.reconnect_grace = std::chrono::milliseconds{0};
  config.admission.expected_workers = 3;
  config.admission.protocol_version = kControlProtocolVersion;
  config.bounds.max_events_per_batch = 64;
  config.bounds.max_payload_bytes = 512;
  config.bounds.burst_messages = 200;
  return config;
}

v1::WorkerMessage hello_from(const std::uint8_t* data, std::size_t size) {
  v1::WorkerMessage message;
  auto* hello = message.mutable_hello();
  hello->set_worker_id("w" + std::to_string(size > 0 ? data[0] % 5 : 0));
  hello->set_pid(size > 1 ? data[1] % 3 : 0);
  hello->set_auth_token(size > 2 && data[2] == 0 ? "wrong" : "t");
  hello->set_protocol_version(size > 3 && data[3] == 0 ? 0 : kControlProtocolVersion);
  hello->set_capacity(10);
  return message;
}

void controller_moves(Coordinator::Core& core, std::uint8_t what) {
  auto ids = core.snapshots();
  if (ids.empty()) return;
  const auto& id = ids[what % ids.size()].worker_id;
  std::lock_guard lock(core.mutex);
  switch ((what >> 3) % 4) {
    case 0: {
      v1::Assignment assignment;
      assignment.add_users()->set_index(what % kUsers);
      core.ledger.assign(id, assignment);
      break;
    }
    case 1:
      core.go_at_us = FakeStream::now_us();
      core.ledger.mark_running();
      break;
    case 2: {
      v1::ProbePlan plan;
      plan.set_round(1 + what % 2);
      core.ledger.plan_probes(id, plan);
      break;
    }
    default: core.ledger.all_finished(std::chrono::steady_clock::now(), std::chrono::milliseconds{0});
  }
}

void check_invariants(const Coordinator::Core& core) {
  for (const auto& snapshot : core.snapshots()) {
    if (snapshot.contiguous_seq > snapshot.events_received) __builtin_trap();
    if (!snapshot.hello.auth_token().empty()) __builtin_trap();  // the token is never kept
  }
}

}  // namespace

// The coordinator logs every refusal and cut-off: at a thousand inputs a
// second that is all the fuzzer would do.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> user_ids;
  for (std::uint32_t i = 0; i < kUsers; ++i) user_ids.push_back("u" + std::to_string(i));
  EventLedger events{user_ids};
  Coordinator::Core core(fuzz_config(), [&events](const std::string& worker, std::vector<v1::Event>&& batch) {
    for (const auto& event : batch) {
      if (!probe_result_of(worker, event)) events.apply(worker, event);
    }
  });
  std::vector<std::shared_ptr<FakeStream>> streams;
  for (int i = 0; i < 4; ++i) {
    streams.push_back(std::make_shared<FakeStream>(core.config.bounds));
    core.adopt(streams.back());
  }
  std::size_t at = 0;
  while (at + 2 <= size) {
    std::uint8_t op = data[at];
    std::size_t length = std::min<std::size_t>(data[at + 1], size - at - 2);
    const std::uint8_t* body = data + at + 2;
    at += 2 + length;
    auto& stream = *streams[op & 3];
    switch ((op >> 2) % 6) {
      case 0:
      case 1: {
        v1::WorkerMessage message;
        if (message.ParseFromArray(body, static_cast<int>(length))) core.on_message(stream, std::move(message));
        break;
      }
      case 2: core.on_message(stream, hello_from(body, length)); break;
      case 3: core.on_read_closed(stream); break;
      case 4:
        stream.silent = true;
        core.liveness_tick();
        break;
      default: controller_moves(core, length > 0 ? body[0] : op); break;
    }
    check_invariants(core);
  }
  for (auto& stream : streams) core.on_read_closed(*stream);
  core.liveness_tick();
  events.finalize();
  return 0;
}
