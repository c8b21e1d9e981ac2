// The run loop's account of each worker: who took over the users of a
// worker lost before the go, who lost users with a worker lost after it,
// and at the end what each worker assigned, finished and lost, its clock
// estimate and the start skew across workers.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "controller/coordination/coordinator.h"
#include "controller/plan/split.h"
#include "controller/run/run_loop.h"

namespace cast::controller {
namespace {

using Clock = std::chrono::steady_clock;

std::string phase_of(controller::WorkerState state) {
  using controller::WorkerState;
  switch (state) {
    case WorkerState::connected:
    case WorkerState::assigned:
    case WorkerState::ready: return fmt::format("before the go ({})", controller::to_string(state));
    default: return std::string{controller::to_string(state)};
  }
}

WorkerRecord* find_record(RunRecord& record, const std::string& worker_id) {
  for (auto& w : record.workers) {
    if (w.worker_id == worker_id) return &w;
  }
  return nullptr;
}

}  // namespace

std::map<std::string, std::vector<std::uint32_t>> RunLoop::redeal_before_go(
    const std::string& lost, const std::vector<controller::WorkerSnapshot>& remaining) {
  for (const auto& w : coordinator_.workers()) {
    if (w.worker_id == lost && w.given_up) {
      if (auto* gone = find_record(ledger_.record(), lost)) gone->lost_reason = w.lost_reason;
    }
  }
  auto& record = ledger_.record();
  std::vector<std::uint32_t> orphaned;
  for (const auto& user : record.users) {
    if (user.worker_id == lost) orphaned.push_back(user.index);
  }
  std::vector<std::size_t> capacities;
  for (const auto& w : remaining) capacities.push_back(w.hello.capacity());
  std::map<std::string, std::vector<std::uint32_t>> dealt;
  if (remaining.empty()) return dealt;
  auto shares = split_users(orphaned.size(), capacities);
  std::string to_whom;
  for (std::size_t i = 0; i < remaining.size(); ++i) {
    if (shares[i].empty()) continue;
    auto& indices = dealt[remaining[i].worker_id];
    for (auto position : shares[i]) indices.push_back(orphaned[position]);
    ledger_.assign(remaining[i].worker_id, indices);
    if (auto* taker = find_record(record, remaining[i].worker_id)) {
      taker->users += static_cast<std::uint32_t>(indices.size());
      taker->users_taken_over += static_cast<std::uint32_t>(indices.size());
    }
    to_whom += fmt::format("{}{} ({})", to_whom.empty() ? "" : ", ", remaining[i].worker_id, indices.size());
  }
  if (auto* gone = find_record(record, lost)) {
    gone->users_handed_over = gone->users;
    gone->users = 0;
    gone->lost = true;
    gone->lost_phase = "before the go";
  }
  accounted_lost_.insert(lost);
  auto note = fmt::format("worker {} was lost before the go; its {} user(s) were dealt to {}", lost, orphaned.size(),
                          to_whom.empty() ? "nobody" : to_whom);
  spdlog::warn("{}", note);
  record.notes.push_back(note);
  return dealt;
}

void RunLoop::account_lost_workers() {
  for (const auto& w : coordinator_.workers()) {
    if (!w.given_up || w.lost_while == controller::WorkerState::done || accounted_lost_.count(w.worker_id)) continue;
    accounted_lost_.insert(w.worker_id);
    auto phase = phase_of(w.lost_while);
    auto lost = ledger_.mark_worker_lost(w.worker_id, phase);
    if (auto* r = find_record(ledger_.record(), w.worker_id)) {
      r->users_lost = lost;
      r->lost_phase = phase;
      r->lost_reason = w.lost_reason;
      r->lost_after_go_s = std::chrono::duration<double>(w.lost_at - go_).count();
    }
    spdlog::error("worker {} lost while {} ({}): {} user(s) unfinished, counted as lost", w.worker_id, phase,
                  w.lost_reason, lost);
  }
}

void RunLoop::account_worker(WorkerRecord& r, const controller::WorkerSnapshot& w) {
  r.events = w.events_received;
  r.clock_samples = w.clock.samples();
  r.round_trip_us = w.clock.best_round_trip_us();
  r.clock_offset_us = w.clock.offset_us();
  r.synchronized_start = w.start_at_worker_us != 0;
  r.users_finished = 0;
  for (const auto& user : ledger_.record().users) {
    if (user.worker_id == r.worker_id && !user.lost && (user.done || user.failed || user.cancelled)) ++r.users_finished;
  }
}

// Where each worker's first user really started, on the controller's clock,
// relative to the common instant: the worker reports it on its own clock
// (Done.first_start_worker_us), taken back through its final clock
// estimate. A worker that did not report it is placed from its go instant
// as sent plus its first step start after that go, when its Go named one.
// The spread is uncertain by up to half the largest round trip among them.
void RunLoop::measure_start_skew(const std::vector<controller::WorkerSnapshot>& snapshots) {
  auto& record = ledger_.record();
  auto go_us = std::chrono::duration_cast<std::chrono::microseconds>(go_.time_since_epoch()).count();
  std::vector<std::int64_t> starts;
  std::int64_t uncertainty = 0;
  for (const auto& w : snapshots) {
    auto* r = find_record(record, w.worker_id);
    if (r == nullptr || !w.clock.known()) continue;
    if (w.done && w.done->go_worker_us() != 0) {
      r->go_at_us = w.clock.to_controller(w.done->go_worker_us()) - go_us;
      r->go_reported = true;
    }
    if (auto first = first_start_of(w)) {
      r->first_start_us = *first - go_us;
      r->start_placed = true;
      starts.push_back(r->first_start_us);
      uncertainty = std::max(uncertainty, w.clock.best_round_trip_us() / 2);
    }
  }
  if (starts.size() >= 2) {
    auto [low, high] = std::minmax_element(starts.begin(), starts.end());
    record.worker_start_skew_us = *high - *low;
    record.worker_start_skew_uncertainty_us = uncertainty;
  }
}

// The worker's first user start on the controller's clock, if it can be placed.
std::optional<std::int64_t> RunLoop::first_start_of(const controller::WorkerSnapshot& w) const {
  if (w.done && w.done->first_start_worker_us() != 0) {
    return w.clock.to_controller(w.done->first_start_worker_us());
  }
  if (w.start_at_worker_us == 0) return std::nullopt;
  std::optional<std::int64_t> first;
  for (const auto& user : ledger_.record().users) {
    if (user.worker_id != w.worker_id) continue;
    if (auto at = ledger_.first_start_us(user.index); at && (!first || *at < *first)) first = at;
  }
  if (!first) return std::nullopt;
  return w.clock.to_controller(w.start_at_worker_us) + *first;
}

// A step counts as run when at least one result of it arrived: an attack
// by (attacker, victim), a read-back by its owner.
void RunLoop::account_probe_gaps(const ProbePlanSet& plans, const ProbeOutcome& outcome) {
  auto& evidence = ledger_.record().isolation;
  for (const auto& [id, plan] : plans.attacks) evidence.probe_steps_planned += plan.attacks_size();
  for (const auto& [id, plan] : plans.readbacks) evidence.probe_steps_planned += plan.readbacks_size();
  for (const auto& worker : outcome.workers_lost) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> attacked;
    std::set<std::uint32_t> read_back;
    for (const auto& result : probe_results_) {
      if (result.worker_id != worker) continue;
      if (result.kind == ProbeKind::readback)
        read_back.insert(result.actor_index);
      else
        attacked.insert({result.actor_index, result.target_index});
    }
    std::size_t missing = 0;
    if (auto it = plans.attacks.find(worker); it != plans.attacks.end()) {
      for (const auto& attack : it->second.attacks()) {
        missing += attacked.count({attack.attacker().index(), attack.victim_index()}) ? 0 : 1;
      }
    }
    if (auto it = plans.readbacks.find(worker); it != plans.readbacks.end()) {
      for (const auto& readback : it->second.readbacks()) missing += read_back.count(readback.owner().index()) ? 0 : 1;
    }
    evidence.probe_steps_missing += missing;
    evidence.probe_gaps.push_back(
        fmt::format("worker {} did not finish its probe rounds, {} step(s) never ran", worker, missing));
    bool gone = false;
    for (const auto& w : coordinator_.workers()) gone = gone || (w.worker_id == worker && (w.given_up || !w.attached));
    if (auto* r = find_record(ledger_.record(), worker); r != nullptr && gone && !r->lost) {
      r->lost = true;
      r->lost_phase = "probing";
      r->lost_after_go_s = std::chrono::duration<double>(Clock::now() - go_).count();
    }
  }
}

}  // namespace cast::controller
