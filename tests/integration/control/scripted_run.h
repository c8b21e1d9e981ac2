#pragma once

// The two sides of the runs the control-stream tests play, each on its own
// thread: a worker driving its ControllerLink as a worker's main thread
// would (hello, assignment, ready, go, events, done, and after Done the probe
// rounds and the Release), the controller assigning users and giving the
// go, and what the controller's event sink received.

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

#include "controller/coordination/coordinator.h"
#include "worker/control/controller_link.h"

namespace cast::test {

inline constexpr auto patience = std::chrono::seconds{60};  // generous: the machine is shared

// Every event the controller's sink saw, per worker, in arrival order.
class EventCollector {
 public:
  cast::controller::EventSink sink() {
    return [this](const std::string& worker_id, std::vector<cast::v1::Event>&& events) {
      std::lock_guard lock(mutex_);
      auto& seqs = seqs_[worker_id];
      for (const auto& event : events) {
        seqs.push_back(event.seq());
      }
    };
  }
  std::vector<std::uint64_t> seqs(const std::string& worker_id) {
    std::lock_guard lock(mutex_);
    return seqs_[worker_id];
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::uint64_t>> seqs_;
};

inline std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> seqs(n);
  std::iota(seqs.begin(), seqs.end(), 1);
  return seqs;
}

inline cast::v1::Assignment assignment_for(const std::string& worker_id, std::uint32_t first_index) {
  cast::v1::Assignment assignment;
  assignment.set_run_id("run-control-test");
  assignment.set_payload_cap_bytes(4096);
  assignment.mutable_targets()->set_ws_url("ws://127.0.0.1:1/ws");
  for (std::uint32_t i = first_index; i < first_index + 4; ++i) {
    auto* user = assignment.add_users();
    user->set_index(i);
    user->set_user_id("u-" + std::to_string(i) + "-" + worker_id);
    user->set_canary("cst_test_" + std::to_string(i));
  }
  return assignment;
}

inline cast::v1::Event step_event(std::uint32_t user_index) {
  cast::v1::Event event;
  event.set_user_index(user_index);
  event.set_kind(cast::v1::STEP_TIMING);
  event.set_phase(cast::v1::PHASE_MESSAGE);
  event.set_duration_us(1234);
  return event;
}

// What a worker thread saw; checked on the test's own thread.
struct WorkerOutcome {
  std::vector<std::string> user_ids;
  bool got_go = false;
  bool drained = false;
  bool closed = false;
  cast::worker::LinkStats stats;
};

// A worker's life on its own thread: hello, assignment, ready, go, events, done.
// `midway` runs after half of the events (to break the stream, say).
inline WorkerOutcome run_worker(cast::worker::ControllerLink& link, int events,
                                const std::function<void()>& midway = {}) {
  WorkerOutcome outcome;
  link.start();
  auto assignment = link.wait_for_assignment(patience);
  if (!assignment) {
    return outcome;
  }
  for (const auto& user : assignment->users()) {
    outcome.user_ids.push_back(user.user_id());
  }
  link.report_ready(static_cast<std::uint32_t>(assignment->users_size()));
  outcome.got_go = link.wait_for_go(patience).has_value();
  for (int i = 0; i < events; ++i) {
    if (i == events / 2 && midway) {
      midway();
    }
    link.emit(step_event(assignment->users(i % assignment->users_size()).index()));
  }
  cast::v1::Done done;
  done.set_events_emitted(static_cast<std::uint64_t>(events));
  link.report_done(done);
  outcome.drained = link.wait_until_acknowledged(patience);
  outcome.stats = link.stats();
  outcome.closed = link.close(patience);
  return outcome;
}

// The controller's side of a run with these workers: assign 4 users each, go, finish.
inline void drive_run(cast::controller::Coordinator& coordinator, const std::vector<std::string>& worker_ids) {
  coordinator.wait_for_workers(worker_ids.size(), patience);
  std::uint32_t next_index = 0;
  for (const auto& worker_id : worker_ids) {
    coordinator.assign(worker_id, assignment_for(worker_id, next_index));
    next_index += 4;
  }
  coordinator.wait_for_ready(patience);
  coordinator.broadcast_go(std::chrono::milliseconds{20});
  CHECK(coordinator.wait_for_finish(patience));
}

// After Done: the probe phase's rounds, then the Release (or the stream's end).
struct AfterDone {
  std::vector<std::uint32_t> rounds;
  bool released = false;
  bool closed = false;
};

inline AfterDone serve_after_done(cast::worker::ControllerLink& link) {
  AfterDone outcome;
  link.start();
  if (!link.wait_for_assignment(patience)) {
    return outcome;
  }
  link.report_ready(4);
  link.wait_for_go(patience);
  link.emit(step_event(0));
  link.report_done(cast::v1::Done{});
  while (auto plan = link.wait_for_probe_plan(patience)) {
    outcome.rounds.push_back(plan->round());
    link.emit(step_event(0));
    cast::v1::ProbeDone done;
    done.set_round(plan->round());
    link.report_probe_done(done);
  }
  outcome.released = link.wait_for_release(patience);
  outcome.closed = link.close(patience);
  return outcome;
}

}  // namespace cast::test
