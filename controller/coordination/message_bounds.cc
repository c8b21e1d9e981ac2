#include "controller/coordination/message_bounds.h"

#include <fmt/format.h>

#include <algorithm>

namespace cast::controller {
namespace {

std::optional<std::string> event_out_of_bounds(const cast::v1::Event& event, const MessageBounds& bounds) {
  for (const std::string* bytes : {&event.payload(), &event.head()}) {
    if (bytes->size() > bounds.max_payload_bytes) {
      return fmt::format("event seq {} carries a {}-byte payload (limit {})", event.seq(), bytes->size(),
                         bounds.max_payload_bytes);
    }
  }
  for (const std::string* text : {&event.error_kind(), &event.error_message(), &event.request_id(), &event.agent_id(),
                                  &event.answer_type(), &event.answer_code(), &event.call()}) {
    if (text->size() > bounds.max_event_text_bytes) {
      return fmt::format("event seq {} has a {}-byte text field (limit {})", event.seq(), text->size(),
                         bounds.max_event_text_bytes);
    }
  }
  return std::nullopt;
}

template <typename Map>
std::optional<std::string> map_out_of_bounds(const Map& map, const char* what, const MessageBounds& bounds) {
  if (static_cast<std::size_t>(map.size()) > bounds.max_map_entries) {
    return fmt::format("{} has {} entries (limit {})", what, map.size(), bounds.max_map_entries);
  }
  for (const auto& [key, value] : map) {
    if (key.size() > bounds.max_map_key_bytes) {
      return fmt::format("{} has a {}-byte key (limit {})", what, key.size(), bounds.max_map_key_bytes);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> out_of_bounds(const cast::v1::WorkerMessage& message, const MessageBounds& bounds) {
  if (message.ByteSizeLong() > bounds.max_message_bytes) {
    return fmt::format("a {}-byte message (limit {})", message.ByteSizeLong(), bounds.max_message_bytes);
  }
  if (message.has_events()) {
    const auto& events = message.events().events();
    if (static_cast<std::size_t>(events.size()) > bounds.max_events_per_batch) {
      return fmt::format("a batch of {} events (limit {})", events.size(), bounds.max_events_per_batch);
    }
    for (const auto& event : events) {
      if (auto problem = event_out_of_bounds(event, bounds)) {
        return problem;
      }
    }
  }
  if (message.has_heartbeat()) {
    const auto& beat = message.heartbeat();
    for (auto problem : {map_out_of_bounds(beat.users_by_phase(), "heartbeat users_by_phase", bounds),
                         map_out_of_bounds(beat.errors_by_kind(), "heartbeat errors_by_kind", bounds),
                         map_out_of_bounds(beat.failures_by_phase(), "heartbeat failures_by_phase", bounds)}) {
      if (problem) return problem;
    }
  }
  if (message.has_done()) {
    const auto& done = message.done();
    for (auto problem : {map_out_of_bounds(done.errors_by_kind(), "done errors_by_kind", bounds),
                         map_out_of_bounds(done.failures_by_phase(), "done failures_by_phase", bounds)}) {
      if (problem) return problem;
    }
  }
  return std::nullopt;
}

bool MessageRate::admit(std::int64_t now_us) {
  if (last_us_ >= 0 && now_us > last_us_) {
    double refill = static_cast<double>(now_us - last_us_) / 1e6 * bounds_.messages_per_second;
    tokens_ = std::min(bounds_.burst_messages, tokens_ + refill);
  }
  last_us_ = std::max(last_us_, now_us);
  if (tokens_ < 1) {
    return false;
  }
  tokens_ -= 1;
  return true;
}

}  // namespace cast::controller
