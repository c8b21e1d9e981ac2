#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "worker/control/link_state.h"
#include "worker/control/link_tls.h"

namespace cast::worker {
namespace {

using cast::v1::ControllerMessage;
using Next = LinkPeer::Next;

bool is_refusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::UNIMPLEMENTED;
}

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  std::uint64_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

Next ControllerLink::State::next_write(LinkStream& current, cast::v1::WorkerMessage& out, UnsentEvents& events) {
  std::lock_guard lock(mutex);
  if (&current != stream.get()) {
    return Next::nothing;
  }
  out.Clear();
  if (!hello_sent) {
    *out.mutable_hello() = config.hello;
    out.mutable_hello()->set_auth_token(config.auth_token);
    hello_sent = true;
    return Next::message;
  }
  if (pong_due) {
    // Stamped as it leaves: a wait behind an earlier write lengthens the
    // round trip, and the controller keeps only its shortest sample.
    pong_due->set_worker_time_us(steady_micros(Clock::now()));
    *out.mutable_pong() = std::move(*pong_due);
    pong_due.reset();
    return Next::message;
  }
  if (!resumed) {
    return Next::nothing;  // nothing until the controller says what it holds
  }
  if (ready && !ready_sent) {
    *out.mutable_ready() = *ready;
    ready_sent = true;
  } else if (heartbeat_due) {
    *out.mutable_heartbeat() = std::move(*heartbeat_due);
    heartbeat_due.reset();
  } else if (outbox.has_unsent()) {
    out.mutable_events();
    events = outbox.take_unsent(config.batch_max_events, config.batch_max_bytes);
  } else if (done && !done_sent) {
    *out.mutable_done() = *done;
    done_sent = true;
  } else if (probe_done && done_sent && !probe_done_sent) {
    *out.mutable_probe_done() = *probe_done;
    probe_done_sent = true;
  } else {
    return closing ? Next::writes_done : Next::nothing;
  }
  return Next::message;
}

void ControllerLink::State::on_message(LinkStream& current, ControllerMessage&& message) {
  {
    std::lock_guard lock(mutex);
    if (&current != stream.get()) {
      return;
    }
    last_heard = Clock::now();
    if (message.has_ping()) {
      pong_due.emplace().set_id(message.ping().id());
      pong_due->set_controller_time_us(message.ping().controller_time_us());
    } else if (message.has_ack() && !resumed) {
      outbox.resend_after(message.ack().up_to());
      resumed = true;
    } else if (message.has_ack()) {
      outbox.acknowledge(message.ack().up_to());
    } else if (message.has_assignment() && message.assignment().part() == 0 && !assignment) {
      assignment = std::move(*message.mutable_assignment());
      parts_seen = std::max(parts_seen, 1u);
    } else if (message.has_assignment()) {
      receive_part(std::move(*message.mutable_assignment()));
    } else if (message.has_go() && !go_at) {
      go_at = go_instant(message.go());
    } else if (message.has_probe_plan() && message.probe_plan().round() > probe_round_seen) {
      probe_round_seen = message.probe_plan().round();
      probe_plan = std::move(*message.mutable_probe_plan());
    } else if (message.has_release()) {
      released = true;
    } else if (message.has_abort()) {
      abort_reason = message.abort().reason();
    }
  }
  changed.notify_all();
}

void ControllerLink::State::on_done(LinkStream& finished, const grpc::Status& status) {
  std::shared_ptr<LinkStream> last_reference;
  {
    std::lock_guard lock(mutex);
    if (&finished == stream.get()) {
      stream_status = status;
      last_reference = std::move(stream);
    }
  }
  changed.notify_all();
}

void ControllerLink::State::run() {
  auto last_working = Clock::now();
  try {
    for (;;) {
      open_stream();
      if (!keep_going(wait_for_stream_end(), last_working)) {
        break;
      }
      std::unique_lock lock(mutex);
      changed.wait_for(lock, config.reconnect_delay, [&] { return abandoned; });
    }
  } catch (const std::exception& error) {
    std::lock_guard lock(mutex);
    failure = fmt::format("control link to {} failed: {}", config.controller_address, error.what());
  }
  {
    std::lock_guard lock(mutex);
    stopped = true;
  }
  changed.notify_all();
}

void ControllerLink::State::open_stream() {
  auto fresh = std::make_shared<LinkStream>(*this);
  bool cancel_now = false;
  {
    std::lock_guard lock(mutex);
    stream = fresh;
    hello_sent = resumed = ready_sent = done_sent = probe_done_sent = false;
    heartbeat_due.reset();
    pong_due.reset();
    stream_status.reset();
    ++streams_opened;
    cancel_now = abandoned;
  }
  fresh->start(*stub);
  if (cancel_now) {
    fresh->cancel();
  }
}

grpc::Status ControllerLink::State::wait_for_stream_end() {
  auto next_heartbeat = Clock::now() + config.heartbeat_interval;
  std::unique_lock lock(mutex);
  while (!stream_status) {
    changed.wait_until(lock, std::min(next_heartbeat, silence_deadline()));
    auto now = Clock::now();
    if (!stream_status && !controller_lost && controller_silent(now)) {
      // A stopped controller or a cut link keeps the stream open and silent.
      declare_controller_lost(now);
      auto doomed = stream;
      lock.unlock();
      if (doomed) {
        doomed->cancel();
      }
      lock.lock();
      continue;
    }
    if (!stream_status && now >= next_heartbeat) {
      next_heartbeat += config.heartbeat_interval;
      lock.unlock();
      send_heartbeat();
      lock.lock();
    }
  }
  return *stream_status;
}

// Decides, after a stream ended, whether to dial again.
bool ControllerLink::State::keep_going(const grpc::Status& status, Clock::time_point& last_working) {
  std::lock_guard lock(mutex);
  auto now = Clock::now();
  if (abandoned || (closing && outbox.unacknowledged() == 0) || controller_lost) {
    return false;
  }
  bool broken_on_purpose = std::exchange(interrupted, false);
  // Only a call the controller finished itself (OK) ends the run: a dead
  // controller's stream breaks (UNAVAILABLE), and a worker waiting between
  // probe rounds must not take that for the end.
  if (released || (finished_with_run() && !broken_on_purpose && status.ok())) {
    released = true;  // the controller ended the run without a word
    return false;
  }
  if (is_refusal(status.error_code())) {
    failure = fmt::format("controller at {} refused worker {}: {}", config.controller_address, config.hello.worker_id(),
                          status.error_message());
    spdlog::error("{}", *failure);
    return false;
  }
  if (controller_silent(now)) {
    // Dead controllers refuse connections at once: the dialling never ends
    // in a stream that is silent long enough for wait_for_stream_end.
    declare_controller_lost(now);
    return false;
  }
  if (resumed) {
    last_working = now;
    ever_resumed = true;
  }
  if (auto tls_failure = ever_resumed ? std::nullopt : first_contact.failure(config, status)) {
    failure = std::move(tls_failure);
    spdlog::error("{}", *failure);
    return false;
  }
  if (now - last_working > config.give_up_after) {
    failure = fmt::format("worker {} gave up reconnecting to the controller at {} after {} ms; last error: {}{}",
                          config.hello.worker_id(), config.controller_address, config.give_up_after.count(),
                          status.error_message(), ever_resumed ? "" : never_reached_hint(config));
    spdlog::error("{}", *failure);
    return false;
  }
  spdlog::warn("worker {}: control stream to {} ended ({}: {}); reconnecting", config.hello.worker_id(),
               config.controller_address, static_cast<int>(status.error_code()), status.error_message());
  return true;
}

// Done reported, everything acknowledged and no probe round unanswered:
// the controller has all this worker will ever send.
bool ControllerLink::State::finished_with_run() const {
  std::uint32_t answered = probe_done ? probe_done->round() : 0;
  return done && outbox.unacknowledged() == 0 && !probe_plan && answered >= probe_round_seen;
}

void ControllerLink::State::send_heartbeat() {
  cast::v1::Heartbeat heartbeat = heartbeat_source ? heartbeat_source() : cast::v1::Heartbeat{};
  if (heartbeat.rss_bytes() == 0) {
    heartbeat.set_rss_bytes(resident_bytes());
  }
  {
    std::lock_guard lock(mutex);
    if (!resumed) {
      return;
    }
    heartbeat.set_unacked_events(outbox.unacknowledged());
    heartbeat.set_last_seq(outbox.last_seq());
    heartbeat_due = std::move(heartbeat);
  }
  pump_current();
}

std::shared_ptr<LinkStream> ControllerLink::State::current_stream() const {
  std::lock_guard lock(mutex);
  return stream;
}

void ControllerLink::State::pump_current() {
  if (auto current = current_stream()) {
    current->pump();
  }
}

}  // namespace cast::worker
