#include "controller/coordination/coordinator_core.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cast::controller {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

WorkerSnapshot snapshot_of(const TrackedWorker& record) {
  WorkerSnapshot snapshot;
  snapshot.worker_id = record.hello.worker_id();
  snapshot.hello = record.hello;
  snapshot.state = record.state;
  snapshot.events_received = record.sequence.accepted();
  snapshot.contiguous_seq = record.sequence.contiguous();
  snapshot.duplicates = record.sequence.duplicates();
  snapshot.gaps = record.sequence.gaps();
  snapshot.reconnects = record.reconnects;
  snapshot.users_prepared = record.users_prepared;
  snapshot.last_heartbeat = record.last_heartbeat;
  snapshot.done = record.done;
  snapshot.probe_done = record.probe_done;
  snapshot.attached = record.attached;
  snapshot.given_up = record.given_up;
  snapshot.lost_reason = record.lost_reason;
  snapshot.lost_while = record.state == WorkerState::lost ? record.state_before_loss : record.state;
  snapshot.lost_at = record.lost_at;
  snapshot.clock = record.clock;
  snapshot.start_at_worker_us = record.start_at_worker_us;
  return snapshot;
}

}  // namespace

ControllerMessage ack_message(std::uint64_t up_to) {
  ControllerMessage message;
  message.mutable_ack()->set_up_to(up_to);
  return message;
}

void Coordinator::Core::on_message(StreamEnd& stream, cast::v1::WorkerMessage&& message) {
  bool greeted = false;
  {
    std::lock_guard lock(mutex);
    greeted = stream.generation != 0;
  }
  if (auto problem = out_of_bounds(message, config.bounds)) {
    cut_off(stream, EndCode::resource_exhausted, "sent " + *problem);
  } else if (!stream.rate.admit(steady_us())) {
    cut_off(stream, EndCode::resource_exhausted,
            fmt::format("sent more than {} messages per second", config.bounds.messages_per_second));
  } else if (!greeted) {
    on_hello(stream, message.hello());
  } else if (message.has_events()) {
    on_events(stream, std::move(*message.mutable_events()));
  } else {
    on_state(stream, message);
  }
}

void Coordinator::Core::cut_off(StreamEnd& stream, EndCode code, const std::string& reason) {
  bool lost = false;
  {
    std::lock_guard lock(mutex);
    auto it = by_worker.find(stream.worker_id);
    if (it != by_worker.end() && it->second.get() == &stream) {
      by_worker.erase(it);
      lost = ledger.give_up(stream.worker_id, Clock::now(), reason);
    }
  }
  spdlog::error("worker {} ({}) cut off: {}", stream.worker_id.empty() ? "?" : stream.worker_id, stream.peer(), reason);
  // Ended, not cancelled: a worker that is cut off should read the reason.
  stream.end({code, reason});
  if (lost) {
    changed.notify_all();
  }
}

void Coordinator::Core::on_events(StreamEnd& stream, cast::v1::EventBatch&& batch) {
  std::optional<WorkerLedger::Admitted> admitted;
  std::string worker_id;
  {
    std::lock_guard lock(mutex);
    worker_id = stream.worker_id;
    admitted = ledger.admit(worker_id, stream.generation, std::move(batch));
  }
  if (!admitted) {
    return;  // a superseded stream: its worker resends on the new one
  }
  if (!admitted->events.empty() && sink) {
    try {
      sink(worker_id, std::move(admitted->events));
    } catch (const std::exception& error) {
      spdlog::error("event sink failed on events of worker {}: {}", worker_id, error.what());
    }
  }
  stream.send(ack_message(admitted->ack_up_to));
}

void Coordinator::Core::on_state(StreamEnd& stream, const cast::v1::WorkerMessage& message) {
  {
    std::lock_guard lock(mutex);
    if (message.has_ready()) {
      ledger.mark_ready(stream.worker_id, stream.generation, message.ready());
    } else if (message.has_done()) {
      ledger.mark_done(stream.worker_id, stream.generation, message.done());
    } else if (message.has_probe_done()) {
      ledger.mark_probe_done(stream.worker_id, stream.generation, message.probe_done());
    } else if (message.has_heartbeat()) {
      ledger.record_heartbeat(stream.worker_id, stream.generation, message.heartbeat());
      return;  // nobody waits on heartbeats
    } else if (message.has_pong()) {
      ledger.record_pong(stream.worker_id, stream.generation, message.pong(), steady_us());
      return;
    } else {
      spdlog::warn("worker {}: a second Hello or an empty message on one stream, ignored", stream.worker_id);
    }
  }
  changed.notify_all();
}

void Coordinator::Core::on_read_closed(StreamEnd& stream) {
  bool lost = false;
  WorkerState state_before = WorkerState::connected;
  std::uint64_t held = 0;
  {
    std::lock_guard lock(mutex);
    auto it = by_worker.find(stream.worker_id);
    if (it != by_worker.end() && it->second.get() == &stream) {
      by_worker.erase(it);
    }
    lost = !shutting_down && ledger.detach(stream.worker_id, stream.generation, Clock::now());
    if (const TrackedWorker* record = ledger.find(stream.worker_id); lost && record != nullptr) {
      state_before = record->state_before_loss;
      held = record->sequence.accepted();
    }
  }
  if (lost) {
    spdlog::warn("worker {} ({}) lost while {}: stream closed, {} events kept", stream.worker_id, stream.peer(),
                 to_string(state_before), held);
    changed.notify_all();
  }
}

void Coordinator::Core::on_stream_done(StreamEnd& stream) {
  StreamPtr last_reference;
  {
    std::lock_guard lock(mutex);
    auto it = live.find(&stream);
    if (it != live.end()) {
      last_reference = std::move(it->second);
      live.erase(it);
    }
  }
  changed.notify_all();
}

std::vector<Coordinator::Core::StreamPtr> Coordinator::Core::attached_streams() const {
  std::vector<StreamPtr> streams;
  for (const auto& [id, stream] : by_worker) {
    streams.push_back(stream);
  }
  return streams;
}

std::vector<WorkerSnapshot> Coordinator::Core::snapshots() const {
  std::vector<WorkerSnapshot> result;
  for (const auto& [id, record] : ledger.records()) {
    result.push_back(snapshot_of(record));
  }
  return result;
}

bool Coordinator::Core::wait_until(std::chrono::milliseconds timeout,
                                   const std::function<bool(Clock::time_point)>& finished) {
  auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mutex);
  // Polls as well as waits: a reconnect grace runs out without any message.
  while (!finished(Clock::now())) {
    auto now = Clock::now();
    if (now >= deadline) {
      return false;
    }
    changed.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(100)));
  }
  return true;
}

void Coordinator::Core::broadcast(const ControllerMessage& message) {
  std::vector<StreamPtr> streams;
  {
    std::lock_guard lock(mutex);
    streams = attached_streams();
  }
  for (const auto& stream : streams) {
    stream->send(message);
  }
}

}  // namespace cast::controller
