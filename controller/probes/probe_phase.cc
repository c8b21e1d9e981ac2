#include "controller/probes/probe_phase.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "controller/coordination/coordinator.h"

namespace cast::controller {
namespace {

using Clock = std::chrono::steady_clock;

// Sends one round and waits for it; records who never answered.
bool run_round(controller::Coordinator& coordinator, std::uint32_t round,
               const std::map<std::string, v1::ProbePlan>& plans, Clock::time_point deadline, ProbeOutcome& outcome) {
  for (const auto& [worker_id, plan] : plans) {
    coordinator.send_probe_plan(worker_id, plan);
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  bool answered = coordinator.wait_for_probes(round, std::max(left, std::chrono::milliseconds{0}));
  for (const auto& worker : coordinator.workers()) {
    bool sent = plans.count(worker.worker_id) > 0;
    bool done = worker.probe_done && worker.probe_done->round() >= round;
    if (!sent || done) {
      continue;
    }
    if (std::find(outcome.workers_lost.begin(), outcome.workers_lost.end(), worker.worker_id) ==
        outcome.workers_lost.end()) {
      outcome.workers_lost.push_back(worker.worker_id);
    }
    outcome.notes.push_back(fmt::format("probe round {}: worker {} never answered ({})", round, worker.worker_id,
                                        worker.attached ? "timed out" : "lost"));
  }
  return answered;
}

}  // namespace

ProbeOutcome run_probe_phase(controller::Coordinator& coordinator, const ProbePlanSet& plans,
                             std::chrono::milliseconds timeout) {
  ProbeOutcome outcome;
  auto deadline = Clock::now() + timeout;
  spdlog::info("probe phase: {} attacker-victim pairs on {} workers", plans.pairs.size(), plans.attacks.size());
  bool attacks = run_round(coordinator, 1, plans.attacks, deadline, outcome);
  // Read-backs go out even after a late round 1: what did arrive still counts.
  bool readbacks = run_round(coordinator, 2, plans.readbacks, deadline, outcome);
  outcome.completed = attacks && readbacks;
  if (plans.pairs.empty()) {
    outcome.notes.push_back("probe phase skipped: fewer than two users started an agent");
  }
  return outcome;
}

}  // namespace cast::controller
