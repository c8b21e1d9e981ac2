#include "worker/control/event_outbox.h"

#include <algorithm>

namespace cast::worker {

std::size_t UnsentEvents::copy_into(cast::v1::EventBatch& batch) const {
  std::size_t copied = 0;
  for (const auto& chunk : chunks) {
    for (const auto& event : chunk->events()) {
      if (event.seq() > skip_through) {
        *batch.add_events() = event;
        ++copied;
      }
    }
  }
  return copied;
}

std::uint64_t EventOutbox::push(std::shared_ptr<cast::v1::EventBatch> batch) {
  if (batch->events().empty()) {
    return last_seq_;
  }
  for (auto& event : *batch->mutable_events()) {
    event.set_seq(++last_seq_);
  }
  // The seq fields change the size by a few bytes at most: an estimate is all
  // batching by size needs, and it is cheap here.
  std::size_t bytes = static_cast<std::size_t>(batch->ByteSizeLong());
  held_.push_back(Held{last_seq_, bytes, std::move(batch)});
  return last_seq_;
}

std::uint64_t EventOutbox::push(cast::v1::Event event) {
  auto batch = std::make_shared<cast::v1::EventBatch>();
  *batch->add_events() = std::move(event);
  return push(std::move(batch));
}

UnsentEvents EventOutbox::take_unsent(std::size_t max_events, std::size_t max_bytes) {
  UnsentEvents unsent;
  unsent.skip_through = acked_;
  std::size_t events = 0;
  std::size_t bytes = 0;
  while (next_unsent_ < held_.size()) {
    const Held& chunk = held_[next_unsent_];
    auto count = static_cast<std::size_t>(chunk.batch->events_size());
    if (!unsent.chunks.empty() && (events + count > max_events || bytes + chunk.bytes > max_bytes)) {
      break;
    }
    unsent.chunks.push_back(chunk.batch);
    events += count;
    bytes += chunk.bytes;
    ++next_unsent_;
  }
  return unsent;
}

void EventOutbox::acknowledge(std::uint64_t up_to) {
  acked_ = std::max(acked_, std::min(up_to, last_seq_));
  while (!held_.empty() && held_.front().last_seq <= acked_) {
    held_.pop_front();
    if (next_unsent_ > 0) {
      --next_unsent_;
    }
  }
}

void EventOutbox::resend_after(std::uint64_t up_to) {
  acknowledge(up_to);
  next_unsent_ = 0;
}

}  // namespace cast::worker
