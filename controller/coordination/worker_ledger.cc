#include "controller/coordination/worker_ledger.h"

#include <algorithm>

namespace cast::controller {

std::string_view to_string(WorkerState state) {
  switch (state) {
    case WorkerState::connected: return "connected";
    case WorkerState::assigned: return "assigned";
    case WorkerState::ready: return "ready";
    case WorkerState::running: return "running";
    case WorkerState::done: return "done";
    case WorkerState::probing: return "probing";
    case WorkerState::lost: return "lost";
  }
  return "unknown";
}

WorkerLedger::Attachment WorkerLedger::attach(const cast::v1::Hello& hello) {
  auto [it, inserted] = records_.try_emplace(hello.worker_id());
  TrackedWorker& record = it->second;
  record.hello = hello;
  record.hello.clear_auth_token();
  record.generation = next_generation_++;
  record.attached = true;
  if (!inserted) {
    ++record.reconnects;
    if (record.state == WorkerState::lost) {
      record.state = record.state_before_loss;
    }
  }
  return {record.generation, !inserted, record.sequence.contiguous()};
}

bool WorkerLedger::detach(const std::string& worker_id, std::uint64_t generation, Clock::time_point now) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr) {
    return false;
  }
  record->attached = false;
  // A done worker may leave (it has nothing more to send): not a loss.
  if (record->state == WorkerState::done || record->state == WorkerState::lost) {
    record->lost_at = now;
    return false;
  }
  record->state_before_loss = record->state;
  record->state = WorkerState::lost;
  record->lost_at = now;
  return true;
}

std::optional<WorkerLedger::Admitted> WorkerLedger::admit(const std::string& worker_id, std::uint64_t generation,
                                                          cast::v1::EventBatch&& batch) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr) {
    return std::nullopt;
  }
  Admitted admitted;
  admitted.events.reserve(static_cast<std::size_t>(batch.events_size()));
  for (auto& event : *batch.mutable_events()) {
    if (record->sequence.admit(event.seq()) == SequenceTracker::Admission::accepted) {
      admitted.events.push_back(std::move(event));
    }
  }
  admitted.ack_up_to = record->sequence.contiguous();
  return admitted;
}

bool WorkerLedger::assign(const std::string& worker_id, cast::v1::Assignment& assignment) {
  auto it = records_.find(worker_id);
  if (it == records_.end()) {
    return false;
  }
  TrackedWorker& record = it->second;
  if (!record.assignment) {
    assignment.set_part(0);
    record.assignment = assignment;
  } else {
    assignment.set_part(static_cast<std::uint32_t>(record.more_users.size() + 1));
    record.more_users.push_back(assignment);
  }
  if (record.state == WorkerState::connected || record.state == WorkerState::ready) {
    record.state = WorkerState::assigned;
  } else if (record.state == WorkerState::lost && record.state_before_loss == WorkerState::ready) {
    record.state_before_loss = WorkerState::assigned;
  }
  return true;
}

bool WorkerLedger::mark_ready(const std::string& worker_id, std::uint64_t generation, const cast::v1::Ready& ready) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr || record->state != WorkerState::assigned) {
    return false;  // a Ready resent after a reconnect changes nothing
  }
  if (ready.parts_prepared() < record->more_users.size() + 1 && !record->more_users.empty()) {
    return false;  // a Ready for an earlier part: the latest one is still being prepared
  }
  record->state = WorkerState::ready;
  record->users_prepared = ready.users_prepared();
  return true;
}

bool WorkerLedger::mark_done(const std::string& worker_id, std::uint64_t generation, const cast::v1::Done& done) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr) {
    return false;
  }
  // A Done resent on a new stream must not undo a probe round in progress.
  if (record->state != WorkerState::probing) {
    record->state = WorkerState::done;
  }
  record->done = done;
  return true;
}

bool WorkerLedger::plan_probes(const std::string& worker_id, cast::v1::ProbePlan plan) {
  auto it = records_.find(worker_id);
  if (it == records_.end()) {
    return false;
  }
  TrackedWorker& record = it->second;
  bool answered = record.probe_done && record.probe_done->round() >= plan.round();
  record.probe_plan = std::move(plan);
  if (answered) {
    return true;  // a round sent again changes nothing
  }
  if (record.state == WorkerState::done) {
    record.state = WorkerState::probing;
  } else if (record.state == WorkerState::lost && record.state_before_loss == WorkerState::done) {
    record.state_before_loss = WorkerState::probing;
  }
  return true;
}

bool WorkerLedger::mark_probe_done(const std::string& worker_id, std::uint64_t generation,
                                   const cast::v1::ProbeDone& done) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr || !record->probe_plan || done.round() != record->probe_plan->round()) {
    return false;  // an answer to an older round, resent after a reconnect
  }
  record->probe_done = done;
  if (record->state == WorkerState::probing) {
    record->state = WorkerState::done;
  }
  return true;
}

bool WorkerLedger::record_heartbeat(const std::string& worker_id, std::uint64_t generation,
                                    const cast::v1::Heartbeat& heartbeat) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr) {
    return false;
  }
  record->last_heartbeat = heartbeat;
  return true;
}

void WorkerLedger::mark_running() {
  for (auto& [id, record] : records_) {
    if (record.state == WorkerState::ready) {
      record.state = WorkerState::running;
    } else if (record.state == WorkerState::lost && record.state_before_loss == WorkerState::ready) {
      record.state_before_loss = WorkerState::running;
    }
  }
}

bool WorkerLedger::give_up(const std::string& worker_id, Clock::time_point now, std::string reason) {
  auto it = records_.find(worker_id);
  if (it == records_.end() || it->second.given_up) {
    return false;
  }
  TrackedWorker& record = it->second;
  if (record.attached) {
    detach(worker_id, record.generation, now);
  }
  record.given_up = true;
  record.lost_reason = std::move(reason);
  return true;
}

std::vector<std::string> WorkerLedger::overdue(Clock::time_point now, std::chrono::milliseconds grace) const {
  std::vector<std::string> ids;
  for (const auto& [id, record] : records_) {
    if (record.state == WorkerState::lost && !record.given_up && now - record.lost_at >= grace) {
      ids.push_back(id);
    }
  }
  return ids;
}

bool WorkerLedger::record_pong(const std::string& worker_id, std::uint64_t generation, const cast::v1::Pong& pong,
                               std::int64_t received_us) {
  TrackedWorker* record = current(worker_id, generation);
  if (record == nullptr) {
    return false;
  }
  record->clock.add_sample(pong.controller_time_us(), pong.worker_time_us(), received_us);
  return true;
}

// A worker given up before it was ready does not hold the run back: its
// users are dealt to the others.
bool WorkerLedger::all_ready() const {
  return std::all_of(records_.begin(), records_.end(), [](const auto& entry) {
    WorkerState state = entry.second.state;
    return entry.second.given_up || state == WorkerState::ready || state == WorkerState::running ||
           state == WorkerState::done;
  });
}

bool WorkerLedger::all_finished(Clock::time_point now, std::chrono::milliseconds grace) const {
  return std::all_of(records_.begin(), records_.end(), [&](const auto& entry) {
    const TrackedWorker& record = entry.second;
    bool past_done = record.state == WorkerState::done || record.state == WorkerState::probing;
    bool lost_after_done = record.state == WorkerState::lost && record.state_before_loss == WorkerState::probing;
    return past_done || lost_after_done || record.given_up ||
           (record.state == WorkerState::lost && now - record.lost_at >= grace);
  });
}

bool WorkerLedger::owes_probe_round(const TrackedWorker& record, std::uint32_t round) {
  bool sent = record.probe_plan && record.probe_plan->round() == round;
  bool answered = record.probe_done && record.probe_done->round() >= round;
  return sent && !answered;
}

bool WorkerLedger::all_probed(std::uint32_t round, Clock::time_point now, std::chrono::milliseconds grace) const {
  return std::all_of(records_.begin(), records_.end(), [&](const auto& entry) {
    const TrackedWorker& record = entry.second;
    return !owes_probe_round(record, round) || record.given_up || (!record.attached && now - record.lost_at >= grace);
  });
}

const TrackedWorker* WorkerLedger::find(const std::string& worker_id) const {
  auto it = records_.find(worker_id);
  return it == records_.end() ? nullptr : &it->second;
}

TrackedWorker* WorkerLedger::find_mutable(const std::string& worker_id) {
  auto it = records_.find(worker_id);
  return it == records_.end() ? nullptr : &it->second;
}

TrackedWorker* WorkerLedger::current(const std::string& worker_id, std::uint64_t generation) {
  auto it = records_.find(worker_id);
  // A worker given up speaks no more, even on a stream that still delivers.
  if (it == records_.end() || it->second.generation != generation || it->second.given_up) {
    return nullptr;
  }
  return &it->second;
}

}  // namespace cast::controller
