#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "cast_control.pb.h"

namespace cast::worker {

// A worker's events from the moment they are numbered until the controller
// acknowledges them. Sending does not release an event: only an Ack does, so
// a broken stream loses nothing; after a reconnect, sending starts again
// right after what the controller says it holds. Not thread-safe on its own.
class EventOutbox {
 public:
  // Numbers the event (1, 2, 3, ...) and keeps it; returns its seq.
  std::uint64_t push(cast::v1::Event event);

  // Copies not-yet-sent events into `batch`, at most `max_events` of them and
  // roughly `max_bytes` (always at least one); returns how many.
  std::size_t take_unsent(cast::v1::EventBatch& batch, std::size_t max_events, std::size_t max_bytes);

  // Releases every event with seq <= up_to. Old or impossible values are clamped.
  void acknowledge(std::uint64_t up_to);
  // A new stream: the controller holds everything <= up_to; resend the rest.
  void resend_after(std::uint64_t up_to);

  bool has_unsent() const { return sent_ < last_seq_; }
  std::size_t unacknowledged() const { return held_.size(); }
  std::uint64_t last_seq() const { return last_seq_; }
  std::uint64_t acknowledged() const { return acked_; }

 private:
  std::deque<cast::v1::Event> held_;  // seqs acked_ + 1 ... last_seq_
  std::uint64_t last_seq_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t sent_ = 0;  // highest seq written to the current stream
};

}  // namespace cast::worker
