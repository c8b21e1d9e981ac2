#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "cast_control.pb.h"

namespace cast::worker {

// Chunks of events about to cross the wire, and the seq below which their
// events are already held by the controller (they are skipped when copied).
struct UnsentEvents {
  std::vector<std::shared_ptr<const cast::v1::EventBatch>> chunks;
  std::uint64_t skip_through = 0;

  bool empty() const { return chunks.empty(); }
  // Copies the events with seq > skip_through into `batch`. Call it without
  // holding the link's lock: the chunks are immutable once numbered.
  std::size_t copy_into(cast::v1::EventBatch& batch) const;
};

// A worker's events from the moment they are numbered until the controller
// acknowledges them. Events arrive in batches (one per loop flush) and are
// kept as immutable chunks, so handing them to the writer is a pointer copy.
// Sending does not release an event: only an Ack does, so a broken stream
// loses nothing; after a reconnect, sending starts again right after what
// the controller says it holds. Not thread-safe on its own.
class EventOutbox {
 public:
  // Numbers the events (consecutive seqs, from 1 over the outbox's life)
  // and keeps them as one chunk; returns the last seq. Build `batch` outside
  // any lock: this only writes the seq fields.
  std::uint64_t push(std::shared_ptr<cast::v1::EventBatch> batch);
  std::uint64_t push(cast::v1::Event event);

  // Not-yet-sent chunks, at most about `max_events` events and `max_bytes`
  // (always at least one chunk); they count as sent from now on.
  UnsentEvents take_unsent(std::size_t max_events, std::size_t max_bytes);

  // Releases every event with seq <= up_to. Old or impossible values are clamped.
  void acknowledge(std::uint64_t up_to);
  // A new stream: the controller holds everything <= up_to; resend the rest.
  void resend_after(std::uint64_t up_to);

  bool has_unsent() const { return next_unsent_ < held_.size(); }
  std::size_t unacknowledged() const { return static_cast<std::size_t>(last_seq_ - acked_); }
  std::uint64_t last_seq() const { return last_seq_; }
  std::uint64_t acknowledged() const { return acked_; }

 private:
  struct Held {
    std::uint64_t last_seq;
    std::size_t bytes;
    std::shared_ptr<const cast::v1::EventBatch> batch;
  };
  std::deque<Held> held_;        // chunks holding seqs acked_ + 1 ... last_seq_
  std::size_t next_unsent_ = 0;  // index into held_ of the first chunk not written to the current stream
  std::uint64_t last_seq_ = 0;
  std::uint64_t acked_ = 0;
};

}  // namespace cast::worker
