#include "controller/run/event_inbox.h"

namespace cast::controller {

void EventInbox::push(const std::string& worker_id, std::vector<v1::Event>&& events) {
  std::lock_guard lock{mutex_};
  pending_.push_back(Batch{worker_id, std::move(events)});
}

std::vector<EventInbox::Batch> EventInbox::drain() {
  std::vector<Batch> taken;
  std::lock_guard lock{mutex_};
  taken.swap(pending_);
  return taken;
}

}  // namespace cast::controller
