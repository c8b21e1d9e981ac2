#pragma once

// Internal to coordination: the state behind Coordinator, shared by
// coordinator.cc (the API the run loop calls) and coordinator_core.cc (what
// the gRPC streams call).

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

#include "controller/coordination/coordinator.h"
#include "controller/coordination/worker_stream.h"

namespace cast::controller {

using cast::v1::ControllerMessage;

struct Coordinator::Core final : StreamOwner {
  using StreamPtr = std::shared_ptr<WorkerStream>;

  Core(CoordinatorConfig config_in, EventSink sink_in) : config(std::move(config_in)), sink(std::move(sink_in)) {}

  void on_message(WorkerStream& stream, cast::v1::WorkerMessage&& message) override;
  void on_read_closed(WorkerStream& stream) override;
  void on_stream_done(WorkerStream& stream) override;

  void on_hello(WorkerStream& stream, const cast::v1::Hello& hello);
  void on_events(WorkerStream& stream, cast::v1::EventBatch&& batch);
  void on_state(WorkerStream& stream, const cast::v1::WorkerMessage& message);
  std::vector<ControllerMessage> greeting(const WorkerRecord& record, std::uint64_t resume_after) const;
  std::vector<StreamPtr> attached_streams() const;
  std::vector<WorkerSnapshot> snapshots() const;
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
  std::map<WorkerStream*, StreamPtr> live;     // every stream gRPC has not finished with
  std::optional<ControllerMessage> go;
  std::optional<ControllerMessage> aborted;
  std::optional<ControllerMessage> released;
  bool shutting_down = false;
  std::unique_ptr<ControlService> service;
  std::unique_ptr<grpc::Server> server;
};

}  // namespace cast::controller
