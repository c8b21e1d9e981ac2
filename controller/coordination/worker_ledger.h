#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cast_control.pb.h"
#include "controller/coordination/clock_estimate.h"
#include "controller/coordination/sequence_tracker.h"

namespace cast::controller {

// After `done` a worker keeps its stream: `probing` while it holds a probe
// plan round it has not answered, `done` again once it has.
enum class WorkerState { connected, assigned, ready, running, done, probing, lost };

std::string_view to_string(WorkerState state);

struct TrackedWorker {
  cast::v1::Hello hello;  // auth token already removed
  WorkerState state = WorkerState::connected;
  WorkerState state_before_loss = WorkerState::connected;  // restored when it reconnects
  SequenceTracker sequence;
  std::uint64_t generation = 0;  // the stream that currently speaks for this worker
  std::uint32_t reconnects = 0;
  std::uint32_t users_prepared = 0;
  std::optional<cast::v1::Assignment> assignment;
  std::vector<cast::v1::Assignment> more_users;  // parts 1, 2, ...: users taken over before the go
  std::optional<cast::v1::Heartbeat> last_heartbeat;
  std::optional<cast::v1::Done> done;
  std::optional<cast::v1::ProbePlan> probe_plan;    // the latest round sent, re-sent on a reconnect
  std::optional<cast::v1::ProbeDone> probe_done;    // the latest round answered
  bool attached = true;                             // a stream speaks for it right now
  std::chrono::steady_clock::time_point lost_at{};  // when it was lost, or last detached
  // Lost for good: away past the reconnect grace, or silent past the
  // liveness deadline. It may not come back; its unfinished users are lost.
  bool given_up = false;
  std::string lost_reason;              // why it was given up, for the report
  ClockEstimate clock;                  // offset and round trip from Ping/Pong
  std::int64_t start_at_worker_us = 0;  // the Go's common instant as sent, on its clock; 0 = offset only
};

// Every worker the controller has heard from and where each one stands. A
// worker is keyed by its id, not by its stream: a reconnecting worker gets
// its record back, and messages from a stream that has since been replaced
// (a "generation" behind) are ignored, so nothing is counted twice.
class WorkerLedger {
 public:
  using Clock = std::chrono::steady_clock;

  struct Attachment {
    std::uint64_t generation = 0;
    bool reconnect = false;
    std::uint64_t resume_after = 0;  // the Ack to answer the Hello with
  };
  Attachment attach(const cast::v1::Hello& hello);

  // The stream of `generation` ended. Returns true when that made the worker lost.
  bool detach(const std::string& worker_id, std::uint64_t generation, Clock::time_point now);

  struct Admitted {
    std::vector<cast::v1::Event> events;  // new events, in arrival order
    std::uint64_t ack_up_to = 0;
  };
  // Nothing when the stream is stale or the worker unknown.
  std::optional<Admitted> admit(const std::string& worker_id, std::uint64_t generation, cast::v1::EventBatch&& batch);

  // The first assignment, or (once it has one) a further part that takes
  // over users of a worker lost before the go: numbered here, and the
  // worker owes a new Ready. False for an unknown worker.
  bool assign(const std::string& worker_id, cast::v1::Assignment& assignment);
  bool mark_ready(const std::string& worker_id, std::uint64_t generation, const cast::v1::Ready& ready);
  bool mark_done(const std::string& worker_id, std::uint64_t generation, const cast::v1::Done& done);
  bool record_heartbeat(const std::string& worker_id, std::uint64_t generation, const cast::v1::Heartbeat& heartbeat);
  // Lost for good (see TrackedWorker::given_up); detaches it first when a
  // stream still speaks for it. False when already given up or unknown.
  bool give_up(const std::string& worker_id, Clock::time_point now, std::string reason);
  // Workers lost for longer than `grace` that are not given up yet.
  std::vector<std::string> overdue(Clock::time_point now, std::chrono::milliseconds grace) const;
  bool record_pong(const std::string& worker_id, std::uint64_t generation, const cast::v1::Pong& pong,
                   std::int64_t received_us);
  // Workers that are ready (or lost while ready) move on to running.
  void mark_running();
  // Remembers the plan; a done worker (or one lost while done) starts probing.
  bool plan_probes(const std::string& worker_id, cast::v1::ProbePlan plan);
  bool mark_probe_done(const std::string& worker_id, std::uint64_t generation, const cast::v1::ProbeDone& done);

  std::size_t size() const { return records_.size(); }
  bool all_ready() const;
  // Every worker is done, or lost for longer than `grace` (it may still come back before that).
  bool all_finished(Clock::time_point now, std::chrono::milliseconds grace) const;
  // Every worker sent a plan of `round` answered it, or has been away for longer than `grace`.
  bool all_probed(std::uint32_t round, Clock::time_point now, std::chrono::milliseconds grace) const;
  // The round was sent to this worker and it has not answered (yet).
  static bool owes_probe_round(const TrackedWorker& record, std::uint32_t round);
  const TrackedWorker* find(const std::string& worker_id) const;
  TrackedWorker* find_mutable(const std::string& worker_id);
  const std::map<std::string, TrackedWorker>& records() const { return records_; }

 private:
  TrackedWorker* current(const std::string& worker_id, std::uint64_t generation);

  std::map<std::string, TrackedWorker> records_;
  std::uint64_t next_generation_ = 1;
};

}  // namespace cast::controller
