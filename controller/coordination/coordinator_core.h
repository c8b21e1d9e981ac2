#pragma once

// Internal to coordination: the state behind Coordinator, shared by
// coordinator.cc (the API the run loop calls, and the gRPC server),
// coordinator_core.cc (what the streams call), coordinator_hello.cc (a
// worker's Hello) and coordinator_liveness.cc (the pings). No gRPC here:
// the core sees streams as StreamEnd, so the fuzz target can drive it
// without a network.

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "controller/coordination/coordinator.h"
#include "controller/coordination/stream_end.h"

namespace grpc {
class Server;
}

namespace cast::controller {

class ControlService;

using cast::v1::ControllerMessage;

// The Ack of every event up to `up_to` (coordinator_core.cc).
ControllerMessage ack_message(std::uint64_t up_to);

struct Coordinator::Core final : StreamOwner {
  using StreamPtr = std::shared_ptr<StreamEnd>;

  // Both in coordinator.cc, where the server's types are complete.
  Core(CoordinatorConfig config_in, EventSink sink_in);
  ~Core() override;
  // Takes a new stream into `live` before its first message.
  void adopt(StreamPtr stream);

  void on_message(StreamEnd& stream, cast::v1::WorkerMessage&& message) override;
  void on_read_closed(StreamEnd& stream) override;
  void on_stream_done(StreamEnd& stream) override;

  void on_hello(StreamEnd& stream, const cast::v1::Hello& hello);
  // Refuses the Hello (and ends the stream) when it may not attach.
  bool refused(StreamEnd& stream, const cast::v1::Hello& hello);
  // Ends the stream and loses its worker for good, with the reason.
  void cut_off(StreamEnd& stream, EndCode code, const std::string& reason);
  void on_events(StreamEnd& stream, cast::v1::EventBatch&& batch);
  void on_state(StreamEnd& stream, const cast::v1::WorkerMessage& message);
  std::vector<ControllerMessage> greeting(TrackedWorker& record, std::uint64_t resume_after);
  std::vector<StreamPtr> attached_streams() const;
  std::vector<WorkerSnapshot> snapshots() const;
  ControllerMessage go_for(TrackedWorker& record);

  // Liveness (coordinator_liveness.cc): a thread that pings every attached
  // worker, cuts off the silent ones and gives up on those away too long.
  void start_liveness();
  void stop_liveness();
  void liveness_tick();
  // Under the lock: gives up every worker away past the reconnect grace,
  // returning a line for each.
  std::vector<std::string> give_up_overdue(std::chrono::steady_clock::time_point now);
  ControllerMessage next_ping();  // under the lock; stamped now
  // Until every attached worker has `samples` clock samples, or `timeout`.
  void wait_for_clocks(std::uint32_t samples, std::chrono::milliseconds timeout);
  void broadcast(const ControllerMessage& message);
  // Blocks until `finished` holds for the ledger, re-checking as grace periods run out.
  bool wait_until(std::chrono::milliseconds timeout,
                  const std::function<bool(std::chrono::steady_clock::time_point)>& finished);

  CoordinatorConfig config;
  EventSink sink;
  mutable std::mutex mutex;
  std::condition_variable changed;
  WorkerLedger ledger;
  std::map<std::string, StreamPtr> by_worker;  // the stream currently speaking for each worker
  std::map<StreamEnd*, StreamPtr> live;        // every stream the transport has not finished with
  std::optional<std::int64_t> go_at_us;        // the common start instant, controller clock
  std::uint32_t go_offset_ms = 0;              // the same as an offset, for workers without a clock estimate
  std::optional<ControllerMessage> aborted;
  std::optional<ControllerMessage> released;
  bool shutting_down = false;
  std::uint64_t next_ping_id = 1;
  std::thread liveness;
  bool liveness_stop = false;
  std::unique_ptr<ControlService> service;
  std::unique_ptr<grpc::Server> server;
};

}  // namespace cast::controller
