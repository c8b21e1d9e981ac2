#pragma once

#include <vector>

#include "cast_control.pb.h"

namespace cast::worker {

// Where the event loops hand over their events, a batch at a time (see
// EventBuffer). Called from every loop thread, concurrently, about once per
// loop tick: an implementation must be thread-safe, must not block for long
// and must not throw. The sink assigns `seq`; users leave it 0.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit_batch(std::vector<cast::v1::Event>&& events) = 0;
};

// Events of one loop thread on their way to the sink. Recording is a push
// onto a vector this thread alone touches: no lock and no wake-up per event.
// The loop's ticker flushes it every few milliseconds; a full buffer
// flushes at once, so memory stays bounded however busy the loop is.
class EventBuffer {
 public:
  explicit EventBuffer(EventSink& sink, std::size_t flush_at = 256) : sink_(sink), flush_at_(flush_at) {}

  void add(cast::v1::Event&& event) {
    pending_.push_back(std::move(event));
    if (pending_.size() >= flush_at_) {
      flush();
    }
  }

  void flush() {
    if (pending_.empty()) {
      return;
    }
    std::vector<cast::v1::Event> batch;
    batch.reserve(flush_at_);
    batch.swap(pending_);
    sink_.emit_batch(std::move(batch));
  }

  std::size_t pending() const { return pending_.size(); }

 private:
  EventSink& sink_;
  std::size_t flush_at_;
  std::vector<cast::v1::Event> pending_;
};

}  // namespace cast::worker
