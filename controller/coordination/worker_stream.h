#pragma once

// gRPC-facing half of coordination; only coordinator.cc includes it.

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "cast_control.grpc.pb.h"

namespace cast::controller {

class WorkerStream;

// Receives what a stream reads. Called from gRPC threads: must not block
// and must not throw.
class StreamOwner {
 public:
  virtual ~StreamOwner() = default;
  virtual void on_message(WorkerStream& stream, cast::v1::WorkerMessage&& message) = 0;
  // The read side closed (worker finished, cancelled or vanished).
  virtual void on_read_closed(WorkerStream& stream) = 0;
  // gRPC is finished with the stream; the owner drops its reference.
  virtual void on_stream_done(WorkerStream& stream) = 0;
};

// One worker's Attach stream. At most one read and one write in flight;
// outgoing messages queue here and Finish happens once, after the queue has
// drained. Kept alive by a shared_ptr in the owner until OnDone, so a
// controller thread holding a reference can still call send() safely.
class WorkerStream : public grpc::ServerBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage> {
 public:
  WorkerStream(StreamOwner& owner, std::string peer);

  void begin();
  // Any thread. Consecutive queued Acks collapse into the newest one.
  void send(cast::v1::ControllerMessage message);
  // Any thread; the first call decides the status, later calls are ignored.
  void end(const grpc::Status& status);
  const std::string& peer() const { return peer_; }

  // Which worker this stream speaks for; set and read by the owner under its lock.
  std::string worker_id;
  std::uint64_t generation = 0;

 private:
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;
  void pump();

  StreamOwner& owner_;
  std::string peer_;
  cast::v1::WorkerMessage incoming_;
  cast::v1::ControllerMessage outgoing_;

  std::mutex mutex_;  // guards everything below; never held across a gRPC call
  std::deque<cast::v1::ControllerMessage> queue_;
  bool writing_ = false;
  bool end_requested_ = false;
  bool finished_ = false;
  grpc::Status status_;
};

// The service: hands each new stream to the owner, which keeps it alive.
class ControlService : public cast::v1::Control::CallbackService {
 public:
  using Adopt = std::function<void(std::shared_ptr<WorkerStream>)>;
  ControlService(StreamOwner& owner, Adopt adopt) : owner_(owner), adopt_(std::move(adopt)) {}

 private:
  grpc::ServerBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage>* Attach(
      grpc::CallbackServerContext* context) override;

  StreamOwner& owner_;
  Adopt adopt_;
};

}  // namespace cast::controller
