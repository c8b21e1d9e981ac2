#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "cast_control.pb.h"

namespace cast::controller {

// What one worker may send. A message outside these bounds cuts the worker
// off with the reason: nothing it sends can make the controller hold
// unbounded memory or spend unbounded time.
struct MessageBounds {
  std::size_t max_message_bytes = 8u << 20;     // one WorkerMessage, encoded (gRPC enforces it first)
  std::size_t max_events_per_batch = 10'000;    // EventBatch.events
  std::size_t max_payload_bytes = 1u << 20;     // Event.payload
  std::size_t max_event_text_bytes = 8u << 10;  // every other string of an Event
  std::size_t max_map_entries = 256;            // each map of a Heartbeat or Done
  std::size_t max_map_key_bytes = 128;
  // Messages per second a worker may keep up, and the burst above that
  // rate it may send at once (a token bucket).
  double messages_per_second = 2'000;
  double burst_messages = 4'000;
};

// Why `message` is outside `bounds`, or nothing when it is fine.
std::optional<std::string> out_of_bounds(const cast::v1::WorkerMessage& message, const MessageBounds& bounds);

// The rate half of MessageBounds, per stream. Not thread-safe: a stream
// delivers one message at a time.
class MessageRate {
 public:
  explicit MessageRate(const MessageBounds& bounds) : bounds_(bounds), tokens_(bounds.burst_messages) {}
  // False when this message, at `now_us` (steady clock), exceeds the rate.
  bool admit(std::int64_t now_us);

 private:
  const MessageBounds& bounds_;
  double tokens_;
  std::int64_t last_us_ = -1;
};

}  // namespace cast::controller
