#pragma once

// gRPC-facing half of coordination; only coordinator.cc includes it.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "cast_control.grpc.pb.h"
#include "common/sync/happens_before.h"
#include "controller/coordination/stream_end.h"

namespace cast::controller {

// One worker's Attach stream. At most one read and one write in flight;
// outgoing messages queue here and Finish happens once, after the queue has
// drained. Kept alive by a shared_ptr in the owner until OnDone, so a
// controller thread holding a reference can still call send() safely.
class WorkerStream final : public grpc::ServerBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage>,
                           public StreamEnd {
 public:
  WorkerStream(StreamOwner& owner, grpc::CallbackServerContext& context, const MessageBounds& bounds);

  void begin();
  void send(cast::v1::ControllerMessage message) override;
  void end(const EndStatus& status) override;
  void cancel() override;
  const std::string& peer() const override { return peer_; }
  std::int64_t last_heard_us() const override { return last_heard_us_.load(std::memory_order_relaxed); }

 private:
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override;
  void pump();

  StreamOwner& owner_;
  grpc::CallbackServerContext& context_;
  std::string peer_;
  std::atomic<std::int64_t> last_heard_us_;
  cast::v1::WorkerMessage incoming_;
  cast::v1::ControllerMessage outgoing_;

  std::mutex mutex_;  // guards everything below; never held across a gRPC call
  std::deque<cast::v1::ControllerMessage> queue_;
  bool writing_ = false;
  bool end_requested_ = false;
  bool finished_ = false;
  grpc::Status status_;

  // The server context lives only until OnDone: cancel() checks under this
  // lock that it still may touch it. Recursive, in case gRPC runs OnDone
  // inline from TryCancel.
  std::recursive_mutex done_mutex_;
  bool done_ = false;
};

// The service: hands each new stream to the owner, which keeps it alive.
class ControlService : public cast::v1::Control::CallbackService {
 public:
  using Adopt = std::function<void(std::shared_ptr<StreamEnd>)>;
  // gRPC calls Attach only once the server holding this service is built,
  // on its own threads: told to TSan, as libgrpc orders it unseen.
  ControlService(StreamOwner& owner, const MessageBounds& bounds, Adopt adopt)
      : owner_(owner), bounds_(bounds), adopt_(std::move(adopt)) {
    CAST_HAPPENS_BEFORE(this);
  }

 private:
  grpc::ServerBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage>* Attach(
      grpc::CallbackServerContext* context) override;

  StreamOwner& owner_;
  const MessageBounds& bounds_;
  Adopt adopt_;
};

}  // namespace cast::controller
