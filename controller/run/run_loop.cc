#include "controller/run/run_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "controller/coordination/coordinator.h"
#include "controller/probes/forgery_coverage.h"
#include "controller/probes/probe_judge.h"
#include "controller/probes/probe_phase.h"
#include "controller/probes/probe_plan.h"
#include "controller/run/event_inbox.h"
#include "controller/run/interruption.h"
#include "controller/run/start_offset.h"
#include "controller/workers/local_workers.h"

namespace cast::controller {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::vector<std::string> user_ids(const std::vector<PlannedUser>& users) {
  std::vector<std::string> ids;
  ids.reserve(users.size());
  for (const auto& u : users) ids.push_back(u.user_id);
  return ids;
}

controller::ResourceMonitorConfig monitor_config(const RunConfig& config, const PlatformEndpoints& target) {
  controller::ResourceMonitorConfig c;
  c.platform_pids = target.local_pids;
  if (target.local_pids.empty()) c.backend_url = target.backend_url;
  c.verify_peer = !config.insecure_tls;
  return c;
}

// Cumulative figures (a heartbeat's, or the Done's, which are final) replace
// what an earlier message said.
template <class Report>
void take_self_measurement(WorkerRecord& record, const Report& report) {
  record.harness_errors = std::max<std::uint64_t>(record.harness_errors, report.harness_errors());
  record.errors_by_kind = {report.errors_by_kind().begin(), report.errors_by_kind().end()};
  record.failures_by_phase = {report.failures_by_phase().begin(), report.failures_by_phase().end()};
}

// The run timeout bounds the users; the controller waits a little longer
// for their last events before it gives up on them.
constexpr auto kDrainGrace = 10s;

}  // namespace

RunLoop::RunLoop(const RunConfig& config, const PlatformEndpoints& target, const std::vector<PlannedUser>& users,
                 const std::string& run_id, controller::Coordinator& coordinator, EventInbox& inbox,
                 controller::LocalWorkers& workers, ProgressReporter& progress)
    : config_(config),
      target_(target),
      users_(users),
      coordinator_(coordinator),
      inbox_(inbox),
      workers_(workers),
      progress_(progress),
      ledger_(user_ids(users)),
      metrics_(config.metrics_listen),
      monitor_(monitor_config(config, target)) {
  ledger_.record().run_id = run_id;
  if (metrics_.serving()) spdlog::info("controller metrics at {}", metrics_.url());
}

void RunLoop::assign(const std::vector<std::vector<std::uint32_t>>& dealt,
                     const std::vector<controller::WorkerSnapshot>& workers) {
  for (std::size_t i = 0; i < workers.size(); ++i) {
    ledger_.assign(workers[i].worker_id, dealt[i]);
    WorkerRecord record;
    record.worker_id = workers[i].worker_id;
    record.host = workers[i].hello.host();
    record.pid = workers[i].hello.pid();
    record.capacity = workers[i].hello.capacity();
    record.cores = workers[i].hello.cores();
    record.users = static_cast<std::uint32_t>(dealt[i].size());
    ledger_.record().workers.push_back(record);
  }
}

RunRecord RunLoop::run() {
  ledger_.record().worker_loss_allowed = config_.allow_worker_loss;
  auto start = choose_start_offset(config_.start_offset, config_.expect_workers == 0, coordinator_.workers());
  go_ = coordinator_.broadcast_go(start.offset);
  spdlog::info("go: every user starts in {} ms ({})", start.offset.count(), start.basis);
  monitor_.start(go_);
  collect(go_ + config_.run_timeout + kDrainGrace);
  monitor_.stop();
  show_progress(true);
  finish_record(go_);
  auto probes_started = Clock::now();
  probe_isolation();
  ledger_.record().timings.probes_s = std::chrono::duration<double>(Clock::now() - probes_started).count();
  coordinator_.release("the run is over");
  return std::move(ledger_.record());
}

void RunLoop::collect(Clock::time_point deadline) {
  while (ledger_.users_finished() < users_.size()) {
    if (Clock::now() >= deadline) {
      coordinator_.abort("run timeout of " + std::to_string(config_.run_timeout.count()) + " ms passed");
      ledger_.record().notes.push_back("the run timed out; users still running were aborted");
      break;
    }
    if (interruption_requested()) {
      coordinator_.abort("interrupted by signal " + std::to_string(interruption_signal()));
      ledger_.record().notes.push_back("interrupted; results up to then are kept");
      break;
    }
    if (coordinator_.wait_for_finish(100ms)) break;
    drain();
    watch_workers();
    show_progress();
    metrics_.publish();
  }
  coordinator_.wait_for_finish(5s);  // let the last batches land
  drain();
  account_lost_workers();
}

void RunLoop::drain() {
  auto started = Clock::now();
  for (auto& batch : inbox_.drain()) {
    for (const auto& event : batch.events) {
      if (auto probe = probe_result_of(batch.worker_id, event)) {
        probe_results_.push_back(std::move(*probe));
        continue;
      }
      ledger_.apply(batch.worker_id, event);
      note_event(batch.worker_id, event);
    }
    metrics_.count_events(batch.worker_id, batch.events.size());
  }
  ledger_.record().timings.fold_s += std::chrono::duration<double>(Clock::now() - started).count();
}

void RunLoop::show_progress(bool last) {
  auto counts = ledger_.user_counts();
  metrics_.set_users("connecting", counts.connecting);
  metrics_.set_users("started", counts.started);
  metrics_.set_users("done", counts.done);
  metrics_.set_users("failed", counts.failed);
  metrics_.set_users("cancelled", counts.cancelled);
  auto now = Clock::now();
  ProgressSnapshot snapshot{.planned = static_cast<std::uint32_t>(users_.size()),
                            .connecting = counts.connecting,
                            .started = counts.started,
                            .done = counts.done,
                            .failed = counts.failed,
                            .cancelled = counts.cancelled,
                            .p95 = ledger_.startups().quantile(95),
                            .elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - go_),
                            .timeout = config_.run_timeout};
  if (last) {
    progress_.finish(snapshot);
  } else {
    progress_.update(snapshot, now);
  }
}

void RunLoop::note_event(const std::string&, const v1::Event& event) {
  if (event.kind() == v1::PHASE_FINISHED && event.phase() == v1::PHASE_START)
    metrics_.count_startup(std::chrono::microseconds{event.duration_us()});
  if (event.kind() == v1::USER_FAILED) metrics_.count_error(event.error_kind());
}

// A local worker process that died says why here; the coordinator decides
// when it is lost (its stream closed and did not come back).
void RunLoop::watch_workers() {
  for (const auto& exit : workers_.reap_exited()) {
    bool finished = false;
    for (const auto& w : coordinator_.workers()) {
      if (w.worker_id == exit.worker_id && w.done) finished = true;
    }
    if (!finished) spdlog::error("{}", exit.note());
  }
  account_lost_workers();
  for (const auto& w : coordinator_.workers()) {
    if (!w.last_heartbeat) continue;
    metrics_.set_worker_event_lag(w.worker_id, std::chrono::microseconds{w.last_heartbeat->loop_lag_us()});
    for (auto& record : ledger_.record().workers) {
      if (record.worker_id != w.worker_id) continue;
      record.peak_cpu_percent = std::max(record.peak_cpu_percent, w.last_heartbeat->cpu_percent());
      record.peak_rss_bytes = std::max(record.peak_rss_bytes, w.last_heartbeat->rss_bytes());
      record.max_loop_lag_us = std::max(record.max_loop_lag_us, w.last_heartbeat->loop_lag_us());
      take_self_measurement(record, *w.last_heartbeat);
    }
  }
}

void RunLoop::finish_record(Clock::time_point go) {
  ledger_.finalize();
  auto& record = ledger_.record();
  record.duration_s = std::chrono::duration<double>(Clock::now() - go).count();
  record.timings.sessions_s = record.duration_s;
  record.resources = monitor_.samples();
  record.platform_local = !target_.local_pids.empty();
  record.host_cores = std::max(1u, std::thread::hardware_concurrency());
  auto snapshots = coordinator_.workers();
  for (const auto& w : snapshots) {
    for (auto& r : record.workers) {
      if (r.worker_id != w.worker_id) continue;
      account_worker(r, w);
      if (w.state == controller::WorkerState::lost) r.lost = true;
      if (w.done) {
        take_self_measurement(r, *w.done);
        r.max_loop_lag_us = std::max(r.max_loop_lag_us, w.done->max_loop_lag_us());
      }
    }
  }
  measure_start_skew(snapshots);
  if (!monitor_.last_error().empty()) record.notes.push_back("resource monitor: " + monitor_.last_error());
}

}  // namespace cast::controller

namespace cast::controller {

// Phase 5 of design.md: every user that started an agent attacks a victim
// (on another worker where there is one), then the victims read their own
// state back. Results arrive as events through the same inbox.
void RunLoop::probe_isolation() {
  auto& record = ledger_.record();
  if (config_.performance_only || interruption_requested()) return;
  std::vector<std::string> worker_of_user, agent_of_user;
  std::size_t with_agent = 0;
  for (const auto& user : record.users) {
    bool usable = !user.agent_id.empty() && !user.lost;
    worker_of_user.push_back(usable ? user.worker_id : "");
    agent_of_user.push_back(usable ? user.agent_id : "");
    with_agent += usable ? 1 : 0;
  }
  if (with_agent < 2) {
    record.notes.push_back("probe phase skipped: fewer than two users have an agent to attack");
    return;
  }
  auto plans = plan_probes(users_, worker_of_user, agent_of_user, config_.seed,
                           {.forgery_attackers = config_.forgery_attackers});
  auto outcome = run_probe_phase(coordinator_, plans, config_.run_timeout);
  drain();
  for (auto& note : outcome.notes) record.notes.push_back("probes: " + note);
  auto findings = judge_probes(users_, probe_results_);
  auto& evidence = record.isolation;
  evidence.probes_run = true;
  evidence.probes = probe_results_.size();
  account_lost_workers();
  account_probe_gaps(plans, outcome);
  evidence.signing_secret_known = !target_.jwt_secret.empty();
  evidence.forgeries = forgery_coverage(probe_results_, evidence.signing_secret_known);
  evidence.attack_pairs = plans.pairs.size();
  evidence.forging_pairs = static_cast<std::size_t>(
      std::count_if(plans.pairs.begin(), plans.pairs.end(), [](const ProbePair& p) { return p.forged_tokens; }));
  evidence.forgery_attackers = config_.forgery_attackers;
  evidence.findings.insert(evidence.findings.end(), findings.begin(), findings.end());
  spdlog::info("probe phase: {} pairs, {} results, {} findings", plans.pairs.size(), probe_results_.size(),
               findings.size());
}

}  // namespace cast::controller
