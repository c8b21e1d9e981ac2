#include "worker/control/event_outbox.h"

#include <algorithm>

namespace cast::worker {

std::uint64_t EventOutbox::push(cast::v1::Event event) {
  event.set_seq(++last_seq_);
  held_.push_back(std::move(event));
  return last_seq_;
}

std::size_t EventOutbox::take_unsent(cast::v1::EventBatch& batch, std::size_t max_events, std::size_t max_bytes) {
  std::size_t taken = 0;
  std::size_t bytes = 0;
  while (sent_ < last_seq_ && taken < max_events) {
    const cast::v1::Event& event = held_[static_cast<std::size_t>(sent_ - acked_)];
    std::size_t size = event.ByteSizeLong();
    if (taken > 0 && bytes + size > max_bytes) {
      break;
    }
    *batch.add_events() = event;
    bytes += size;
    ++taken;
    ++sent_;
  }
  return taken;
}

void EventOutbox::acknowledge(std::uint64_t up_to) {
  up_to = std::min(up_to, last_seq_);
  while (acked_ < up_to) {
    held_.pop_front();
    ++acked_;
  }
  sent_ = std::max(sent_, acked_);
}

void EventOutbox::resend_after(std::uint64_t up_to) {
  acknowledge(up_to);
  sent_ = acked_;
}

}  // namespace cast::worker
