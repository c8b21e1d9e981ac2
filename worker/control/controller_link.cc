#include "worker/control/controller_link.h"

#include "worker/control/link_state.h"
#include "worker/control/link_tls.h"

namespace cast::worker {

ControllerLink::ControllerLink(ControllerLinkConfig config, HeartbeatSource heartbeat_source)
    : state_(std::make_unique<State>(std::move(config), std::move(heartbeat_source))) {}

ControllerLink::~ControllerLink() {
  if (state_->thread.joinable()) {
    abandon();
    state_->thread.join();
  }
}

void ControllerLink::start() {
  state_->channel = dial_controller(state_->config);
  state_->stub = cast::v1::Control::NewStub(state_->channel);
  state_->thread = std::thread([state = state_.get()] { state->run(); });
}

std::optional<cast::v1::Assignment> ControllerLink::wait_for_assignment(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, timeout,
                           [&] { return state_->assignment || state_->abort_reason || state_->stopped; });
  return state_->assignment;
}

void ControllerLink::report_ready(std::uint32_t users_prepared, std::uint32_t parts_prepared) {
  {
    std::lock_guard lock(state_->mutex);
    auto& ready = state_->ready.emplace();
    ready.set_users_prepared(users_prepared);
    ready.set_parts_prepared(parts_prepared);
    state_->ready_sent = false;
  }
  state_->pump_current();
}

std::optional<std::chrono::steady_clock::time_point> ControllerLink::wait_for_go(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, timeout, [&] {
    return state_->go_at || !state_->more_users.empty() || state_->abort_reason || state_->stopped;
  });
  return state_->go_at;
}

std::uint64_t ControllerLink::emit_batch(std::vector<cast::v1::Event>&& events) {
  auto batch = std::make_shared<cast::v1::EventBatch>();
  batch->mutable_events()->Reserve(static_cast<int>(events.size()));
  for (auto& event : events) {
    batch->mutable_events()->Add(std::move(event));
  }
  std::shared_ptr<LinkStream> stream;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(state_->mutex);
    seq = state_->outbox.push(std::move(batch));
    stream = state_->stream;
  }
  if (stream) {
    stream->pump();
  }
  return seq;
}

std::uint64_t ControllerLink::emit(cast::v1::Event event) {
  std::vector<cast::v1::Event> one;
  one.push_back(std::move(event));
  return emit_batch(std::move(one));
}

void ControllerLink::report_done(const cast::v1::Done& done) {
  {
    std::lock_guard lock(state_->mutex);
    state_->done = done;
  }
  state_->pump_current();
}

std::optional<cast::v1::ProbePlan> ControllerLink::wait_for_probe_plan(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(
      lock, timeout, [&] { return state_->probe_plan || state_->released || state_->abort_reason || state_->stopped; });
  if (state_->released || state_->abort_reason) {
    return std::nullopt;
  }
  return std::exchange(state_->probe_plan, std::nullopt);
}

void ControllerLink::report_probe_done(const cast::v1::ProbeDone& done) {
  {
    std::lock_guard lock(state_->mutex);
    state_->probe_done = done;
    state_->probe_done_sent = false;
  }
  state_->pump_current();
}

bool ControllerLink::wait_for_release(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, timeout, [&] { return state_->released || state_->stopped; });
  return state_->released;
}

bool ControllerLink::released() const {
  std::lock_guard lock(state_->mutex);
  return state_->released;
}

bool ControllerLink::wait_until_acknowledged(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] {
    return state_->outbox.unacknowledged() == 0 || state_->stopped;
  }) && state_->outbox.unacknowledged() == 0;
}

bool ControllerLink::close(std::chrono::milliseconds timeout) {
  if (!state_->thread.joinable()) {
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool drained = wait_until_acknowledged(timeout);
  {
    std::lock_guard lock(state_->mutex);
    state_->closing = true;
  }
  state_->pump_current();
  bool stopped = false;
  {
    std::unique_lock lock(state_->mutex);
    stopped = state_->changed.wait_until(lock, deadline, [&] { return state_->stopped; });
  }
  if (!stopped) {
    abandon();
  }
  state_->thread.join();
  return drained && stopped;
}

void ControllerLink::interrupt() {
  {
    // Documented to reconnect: the stream this breaks must not be taken
    // for a controller that ended the run without a word.
    std::lock_guard lock(state_->mutex);
    state_->interrupted = true;
  }
  if (auto stream = state_->current_stream()) {
    stream->cancel();
  }
}

void ControllerLink::abandon() {
  {
    std::lock_guard lock(state_->mutex);
    state_->abandoned = true;
  }
  state_->changed.notify_all();
  interrupt();
}

std::optional<std::string> ControllerLink::abort_reason() const {
  std::lock_guard lock(state_->mutex);
  return state_->abort_reason;
}

std::optional<std::string> ControllerLink::failure() const {
  std::lock_guard lock(state_->mutex);
  return state_->failure;
}

bool ControllerLink::controller_lost() const {
  std::lock_guard lock(state_->mutex);
  return state_->controller_lost;
}

LinkStats ControllerLink::stats() const {
  std::lock_guard lock(state_->mutex);
  return {state_->outbox.last_seq(), state_->outbox.acknowledged(), state_->outbox.unacknowledged(),
          state_->streams_opened, state_->parts_refused};
}

}  // namespace cast::worker
