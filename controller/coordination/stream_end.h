#pragma once

// The controller's view of one worker's control stream, free of gRPC: what
// the coordinator's core needs to answer, end and watch a stream. The gRPC
// reactor (worker_stream.h) is one; the fuzz target drives the core with
// another, so the handling of worker messages is tested without a network.

#include <cstdint>
#include <string>

#include "cast_control.pb.h"
#include "controller/coordination/message_bounds.h"

namespace cast::controller {

// How a stream ends; mapped onto gRPC status codes by the reactor.
enum class EndCode {
  ok,
  invalid_argument,
  unauthenticated,
  resource_exhausted,
  already_exists,
  failed_precondition,
  deadline_exceeded,
  aborted,
  unavailable,
  internal
};

struct EndStatus {
  EndCode code = EndCode::ok;
  std::string message;
};

class StreamEnd {
 public:
  explicit StreamEnd(const MessageBounds& bounds) : rate(bounds) {}
  virtual ~StreamEnd() = default;
  StreamEnd(const StreamEnd&) = delete;
  StreamEnd& operator=(const StreamEnd&) = delete;

  // Any thread. Consecutive queued Acks may collapse into the newest one.
  virtual void send(cast::v1::ControllerMessage message) = 0;
  // Any thread; the first call decides the status, later calls are ignored.
  virtual void end(const EndStatus& status) = 0;
  // Any thread: drops the call at once, pending writes included (a silent
  // peer never drains them, so end() alone might never finish).
  virtual void cancel() = 0;
  virtual const std::string& peer() const = 0;
  // Steady-clock microseconds when the last message from the worker arrived
  // (or the stream opened): the liveness deadline runs from here.
  virtual std::int64_t last_heard_us() const = 0;

  // Which worker this stream speaks for; set and read by the owner under its lock.
  std::string worker_id;
  std::uint64_t generation = 0;
  // Per-stream rate of messages; used only from on_message (one at a time).
  MessageRate rate;
};

// Receives what a stream reads. Called from the stream's threads: must not
// block and must not throw.
class StreamOwner {
 public:
  virtual ~StreamOwner() = default;
  virtual void on_message(StreamEnd& stream, cast::v1::WorkerMessage&& message) = 0;
  // The read side closed (worker finished, cancelled or vanished).
  virtual void on_read_closed(StreamEnd& stream) = 0;
  // The transport is finished with the stream; the owner drops its reference.
  virtual void on_stream_done(StreamEnd& stream) = 0;
};

}  // namespace cast::controller
