// Assignment parts after the first: the users of a worker the controller
// lost before the go, dealt here to be prepared as well. The controller
// gives the go only once every worker's Ready counts its latest part, so a
// part can only come before the go; one that comes (or is still unprepared)
// after it is refused, never started late or half prepared beside the
// others, and the log says which users were left out.
#include <spdlog/spdlog.h>

#include "worker/control/link_state.h"

namespace cast::worker {

void ControllerLink::State::receive_part(cast::v1::Assignment&& part) {
  if (part.part() == 0 || part.part() < parts_seen) {
    return;  // re-sent after a reconnect: handed out already
  }
  parts_seen = part.part() + 1;
  if (go_at) {
    refuse_parts({std::move(part)}, "came after the go");
    return;
  }
  more_users.push_back(std::move(part));
}

void ControllerLink::State::refuse_parts(const std::vector<cast::v1::Assignment>& parts, const char* when) {
  for (const auto& part : parts) {
    ++parts_refused;
    spdlog::error("worker {}: assignment part {} ({} users, from index {}) {}; refused, its users do not run",
                  config.hello.worker_id(), part.part(), part.users_size(),
                  part.users_size() > 0 ? part.users(0).index() : 0, when);
  }
}

std::vector<cast::v1::Assignment> ControllerLink::take_more_users() {
  std::lock_guard lock(state_->mutex);
  auto parts = std::exchange(state_->more_users, {});
  if (state_->go_at && !parts.empty()) {
    state_->refuse_parts(parts, "was not prepared before the go");
    return {};
  }
  return parts;
}

}  // namespace cast::worker
