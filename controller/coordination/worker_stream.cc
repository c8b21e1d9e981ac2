#include "controller/coordination/worker_stream.h"

#include <spdlog/spdlog.h>

namespace cast::controller {

WorkerStream::WorkerStream(StreamOwner& owner, std::string peer) : owner_(owner), peer_(std::move(peer)) {}

void WorkerStream::begin() { StartRead(&incoming_); }

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

void WorkerStream::end(const grpc::Status& status) {
  {
    std::lock_guard lock(mutex_);
    if (end_requested_) {
      return;
    }
    end_requested_ = true;
    status_ = status;
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
  if (write) {
    StartWrite(&outgoing_);
  } else if (finish) {
    Finish(status_);
  }
}

void WorkerStream::OnReadDone(bool ok) {
  try {
    if (!ok) {
      owner_.on_read_closed(*this);
      end(grpc::Status::OK);
      return;
    }
    owner_.on_message(*this, std::move(incoming_));
    incoming_.Clear();
    bool keep_reading = false;
    {
      std::lock_guard lock(mutex_);
      keep_reading = !end_requested_;
    }
    if (keep_reading) {
      StartRead(&incoming_);
    }
  } catch (const std::exception& error) {
    spdlog::error("control stream from {}: {}", peer_, error.what());
    end(grpc::Status(grpc::StatusCode::INTERNAL, error.what()));
  }
}

void WorkerStream::OnWriteDone(bool ok) {
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

void WorkerStream::OnDone() {
  // The owner may drop the last reference here: nothing may follow this call.
  owner_.on_stream_done(*this);
}

grpc::ServerBidiReactor<cast::v1::WorkerMessage, cast::v1::ControllerMessage>* ControlService::Attach(
    grpc::CallbackServerContext* context) {
  auto stream = std::make_shared<WorkerStream>(owner_, context->peer());
  adopt_(stream);
  stream->begin();
  return stream.get();
}

}  // namespace cast::controller
