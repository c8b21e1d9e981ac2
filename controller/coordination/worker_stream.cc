#include "controller/coordination/worker_stream.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace cast::controller {

namespace {

grpc::StatusCode grpc_code(EndCode code) {
  switch (code) {
    case EndCode::ok: return grpc::StatusCode::OK;
    case EndCode::invalid_argument: return grpc::StatusCode::INVALID_ARGUMENT;
    case EndCode::unauthenticated: return grpc::StatusCode::UNAUTHENTICATED;
    case EndCode::resource_exhausted: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case EndCode::already_exists: return grpc::StatusCode::ALREADY_EXISTS;
    case EndCode::failed_precondition: return grpc::StatusCode::FAILED_PRECONDITION;
    case EndCode::deadline_exceeded: return grpc::StatusCode::DEADLINE_EXCEEDED;
    case EndCode::aborted: return grpc::StatusCode::ABORTED;
    case EndCode::unavailable: return grpc::StatusCode::UNAVAILABLE;
    case EndCode::internal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::UNKNOWN;
}

std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WorkerStream::WorkerStream(StreamOwner& owner, grpc::CallbackServerContext& context, const MessageBounds& bounds)
    : StreamEnd(bounds), owner_(owner), context_(context), peer_(context.peer()), last_heard_us_(steady_us()) {}

void WorkerStream::begin() {
  CAST_HAPPENS_BEFORE(this);
  StartRead(&incoming_);
}

void WorkerStream::send(cast::v1::ControllerMessage message) {
  {
    std::lock_guard lock(mutex_);
    if (end_requested_) {
      return;
    }
    if (message.has_ack() && !queue_.empty() && queue_.back().has_ack()) {
      queue_.back().mutable_ack()->set_up_to(std::max(queue_.back().ack().up_to(), message.ack().up_to()));
      return;
    }
    queue_.push_back(std::move(message));
  }
  pump();
}

void WorkerStream::end(const EndStatus& status) {
  {
    std::lock_guard lock(mutex_);
    if (end_requested_) {
      return;
    }
    end_requested_ = true;
    status_ = grpc::Status(grpc_code(status.code), status.message);
  }
  pump();
}

void WorkerStream::pump() {
  bool write = false;
  bool finish = false;
  {
    std::lock_guard lock(mutex_);
    if (writing_ || finished_) {
      return;
    }
    if (!queue_.empty()) {
      outgoing_ = std::move(queue_.front());
      queue_.pop_front();
      writing_ = write = true;
    } else if (end_requested_) {
      finished_ = finish = true;
    }
  }
  // gRPC may run reactions inline from these calls, hence no lock held here.
  CAST_HAPPENS_BEFORE(this);
  if (write) {
    StartWrite(&outgoing_);
  } else if (finish) {
    Finish(status_);
  }
}

void WorkerStream::OnReadDone(bool ok) {
  ReactionScope reaction(this);
  try {
    if (!ok) {
      owner_.on_read_closed(*this);
      end({});
      return;
    }
    last_heard_us_.store(steady_us(), std::memory_order_relaxed);
    owner_.on_message(*this, std::move(incoming_));
    incoming_.Clear();
    bool keep_reading = false;
    {
      std::lock_guard lock(mutex_);
      keep_reading = !end_requested_;
    }
    if (keep_reading) {
      CAST_HAPPENS_BEFORE(this);
      StartRead(&incoming_);
    }
  } catch (const std::exception& error) {
    spdlog::error("control stream from {}: {}", peer_, error.what());
    end({EndCode::internal, error.what()});
  }
}

void WorkerStream::OnWriteDone(bool ok) {
  ReactionScope reaction(this);
  {
    std::lock_guard lock(mutex_);
    writing_ = false;
    if (!ok) {
      // The stream is broken: nothing more will be delivered, so finish now.
      queue_.clear();
      end_requested_ = true;
    }
  }
  pump();
}

void WorkerStream::cancel() {
  std::lock_guard lock(done_mutex_);
  if (!done_) {
    context_.TryCancel();
  }
}

void WorkerStream::OnDone() {
  // gRPC runs OnDone after every other reaction has returned.
  CAST_HAPPENS_AFTER(this);
  {
    std::lock_guard lock(done_mutex_);
    done_ = true;
  }
  // The owner may drop the last reference here: nothing may follow this call.
  owner_.on_stream_done(*this);
}

grpc::ServerBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage>* ControlService::Attach(
    grpc::CallbackServerContext* context) {
  CAST_HAPPENS_AFTER(this);
  auto stream = std::make_shared<WorkerStream>(owner_, *context, bounds_);
  adopt_(stream);
  stream->begin();
  return stream.get();
}

}  // namespace cast::controller
