#include "controller/coordination/coordinator_core.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

namespace cast::controller {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

EndCode status_of(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::bad_hello: return EndCode::invalid_argument;
    case RefusalKind::beyond_expected: return EndCode::resource_exhausted;
    case RefusalKind::duplicate_id: return EndCode::already_exists;
    case RefusalKind::other_version:
    case RefusalKind::late:
    case RefusalKind::given_up: return EndCode::failed_precondition;
  }
  return EndCode::unauthenticated;
}

bool token_matches(const std::string& expected, const std::string& given) {
  return expected.size() == given.size() && CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0;
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

ControllerMessage ack_message(std::uint64_t up_to) {
  ControllerMessage message;
  message.mutable_ack()->set_up_to(up_to);
  return message;
}

}  // namespace

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

void Coordinator::Core::on_hello(StreamEnd& stream, const cast::v1::Hello& hello) {
  if (refused(stream, hello)) {
    return;
  }
  std::vector<ControllerMessage> replies;
  StreamPtr superseded;
  {
    std::lock_guard lock(mutex);
    // Under the lock that attaches: two Hellos with one id may race.
    if (auto refusal = refuse_hello(ledger, hello, config.admission, go_at_us.has_value())) {
      spdlog::warn("refused worker from {}: {}", stream.peer(), refusal->reason);
      stream.end({status_of(refusal->kind), refusal->reason});
      return;
    }
    auto attachment = ledger.attach(hello);
    stream.worker_id = hello.worker_id();
    stream.generation = attachment.generation;
    superseded = std::exchange(by_worker[hello.worker_id()], live.at(&stream));
    replies = greeting(*ledger.find_mutable(hello.worker_id()), attachment.resume_after);
    spdlog::info("worker {} attached from {} (capacity {}, {}){}", hello.worker_id(), stream.peer(), hello.capacity(),
                 hello.version(), attachment.reconnect ? ", reconnected" : "");
  }
  changed.notify_all();
  if (superseded) {
    superseded->end({EndCode::aborted, "superseded by a newer stream of worker " + hello.worker_id()});
  }
  for (auto& reply : replies) {
    stream.send(std::move(reply));
  }
}

// What needs no ledger: a Hello at all, and the token (in constant time).
bool Coordinator::Core::refused(StreamEnd& stream, const cast::v1::Hello& hello) {
  if (hello.worker_id().empty()) {
    stream.end({EndCode::invalid_argument,
                "control stream from " + stream.peer() + ": the first message must be a Hello with a worker_id"});
    return true;
  }
  if (!config.auth_token.empty() && !token_matches(config.auth_token, hello.auth_token())) {
    spdlog::warn("refused a worker from {}: wrong auth token", stream.peer());
    stream.end({EndCode::unauthenticated, "auth token does not match the controller's"});
    return true;
  }
  return false;
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

// The instant is fixed when first sent: a reconnect gets the same one,
// although the clock estimate may have improved since.
ControllerMessage Coordinator::Core::go_for(TrackedWorker& record) {
  if (record.start_at_worker_us == 0 && go_at_us && record.clock.known()) {
    record.start_at_worker_us = record.clock.to_worker(*go_at_us);
  }
  ControllerMessage message;
  message.mutable_go()->set_start_offset_ms(go_offset_ms);
  message.mutable_go()->set_start_at_worker_us(record.start_at_worker_us);
  return message;
}

std::vector<ControllerMessage> Coordinator::Core::greeting(TrackedWorker& record, std::uint64_t resume_after) {
  // The Ack comes first so the worker resends only what is really missing.
  // A Ping at once, so that its clock offset is known before the go.
  std::vector<ControllerMessage> replies{ack_message(resume_after), next_ping()};
  if (record.assignment && record.state == WorkerState::assigned) {
    replies.emplace_back().mutable_assignment()->CopyFrom(*record.assignment);
    for (const auto& part : record.more_users) {
      replies.emplace_back().mutable_assignment()->CopyFrom(part);
    }
  }
  if (go_at_us && record.state == WorkerState::running) {
    replies.push_back(go_for(record));
  }
  // The worker ignores a round it already holds, so re-sending is safe.
  if (record.probe_plan && record.state == WorkerState::probing) {
    replies.emplace_back().mutable_probe_plan()->CopyFrom(*record.probe_plan);
  }
  if (aborted) {
    replies.push_back(*aborted);
  }
  if (released) {
    replies.push_back(*released);
  }
  return replies;
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
