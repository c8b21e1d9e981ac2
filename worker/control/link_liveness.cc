// The worker's half of the control plane's liveness: the controller is
// taken for dead when it has said nothing for the silence deadline (its
// Pings come every 250 ms whatever else it does), whether the stream is
// open and silent (a stopped controller, a cut link) or cannot be dialled
// again (a killed one). And the Go's common instant, read on this clock.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "worker/control/link_state.h"

namespace cast::worker {
namespace {

// A Go instant further ahead than its own offset plus this is taken for a
// broken clock estimate, and the offset is used instead.
constexpr std::chrono::seconds kGoSlack{10};

}  // namespace

ControllerLink::State::Clock::time_point ControllerLink::State::silence_deadline() const {
  if (!last_heard || controller_lost) {
    return Clock::time_point::max();  // never heard: the Hello's own timeouts apply
  }
  return *last_heard + config.controller_silence;
}

bool ControllerLink::State::controller_silent(Clock::time_point now) const {
  return !released && last_heard && now - *last_heard > config.controller_silence;
}

void ControllerLink::State::declare_controller_lost(Clock::time_point now) {
  controller_lost = true;
  auto quiet = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_heard);
  failure = fmt::format("worker {}: nothing from the controller at {} for {} ms (deadline {} ms): taken for dead",
                        config.hello.worker_id(), config.controller_address, quiet.count(),
                        config.controller_silence.count());
  spdlog::error("{}", *failure);
}

ControllerLink::State::Clock::time_point ControllerLink::State::go_instant(const cast::v1::Go& go) const {
  auto now = Clock::now();
  auto by_offset = now + std::chrono::milliseconds(go.start_offset_ms());
  if (go.start_at_worker_us() == 0) {
    return by_offset;
  }
  Clock::time_point at{std::chrono::microseconds(go.start_at_worker_us())};
  if (at > by_offset + kGoSlack) {
    spdlog::warn("worker {}: the Go's instant is {} ms away, beyond its offset of {} ms; using the offset",
                 config.hello.worker_id(), std::chrono::duration_cast<std::chrono::milliseconds>(at - now).count(),
                 go.start_offset_ms());
    return by_offset;
  }
  return at;  // possibly already past (a slow Go): the users then start at once, their lag measured
}

}  // namespace cast::worker
