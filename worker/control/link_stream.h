#pragma once

// gRPC-facing half of the worker's control link; only the link's own .cc
// files include it.

#include <grpcpp/grpcpp.h>

#include <mutex>

#include "cast_control.grpc.pb.h"
#include "worker/control/event_outbox.h"

namespace cast::worker {

class LinkStream;

// What a LinkStream asks of the link that owns it. Called from gRPC threads
// (and from whoever pumps): must not block and must not throw.
class LinkPeer {
 public:
  enum class Next { nothing, message, writes_done };
  virtual ~LinkPeer() = default;
  // The next thing to write on `stream`, filled into `out`; for an event
  // batch, `out` only gets its events case set and `events` says which
  // chunks to copy in, which the stream does after every lock is released.
  virtual Next next_write(LinkStream& stream, cast::v1::WorkerMessage& out, UnsentEvents& events) = 0;
  virtual void on_message(LinkStream& stream, cast::v1::ControllerMessage&& message) = 0;
  // gRPC is finished with the stream; the link drops its reference.
  virtual void on_done(LinkStream& stream, const grpc::Status& status) = 0;
};

// One Attach call. Writes are started both from reactions and from other
// threads (emit), so the stream holds a gRPC hold until it knows it will
// write no more. One write in flight; the next one is whatever the peer has
// accumulated by then.
class LinkStream : public grpc::ClientBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage> {
 public:
  explicit LinkStream(LinkPeer& peer) : peer_(peer) {}

  void start(cast::v1::Control::Stub& stub);
  // Any thread: write if idle and the peer has something.
  void pump();
  // Any thread: break the call, as a network fault would.
  void cancel() { context_.TryCancel(); }

 private:
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;
  void write_completed(bool ok);
  void release_or_pump();

  LinkPeer& peer_;
  grpc::ClientContext context_;
  cast::v1::ControllerMessage incoming_;
  cast::v1::WorkerMessage outgoing_;

  std::mutex mutex_;  // guards the flags; never held across a gRPC call
  bool writing_ = false;
  bool writes_over_ = false;  // WritesDone sent, or the call broke
  bool hold_released_ = false;
};

}  // namespace cast::worker
