#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/config/run_config.h"
#include "controller/metrics/controller_metrics.h"
#include "controller/monitor/resource_monitor.h"
#include "controller/plan/population.h"
#include "controller/probes/probe_phase.h"
#include "controller/probes/probe_plan.h"
#include "controller/probes/probe_result.h"
#include "controller/report/progress_line.h"
#include "controller/run/event_ledger.h"
#include "controller/run/platform_target.h"

namespace cast::controller {

class Coordinator;
class LocalWorkers;
struct WorkerSnapshot;

class EventInbox;

// The measured part of a run, on the controller's main thread: one go,
// then fold events as they arrive, watch workers and resources, and stop
// when every user has finished, every worker is done or lost, or the run
// timeout passes (then the workers are told to abort and what arrived is
// kept). Single-threaded: the gRPC threads only fill the inbox. Progress
// (users by phase, P95 so far) is printed and exported from this thread,
// straight from the ledger's running counts.
class RunLoop {
 public:
  RunLoop(const RunConfig& config, const PlatformEndpoints& target, const std::vector<PlannedUser>& users,
          const std::string& run_id, controller::Coordinator& coordinator, EventInbox& inbox,
          controller::LocalWorkers& workers, ProgressReporter& progress);

  void assign(const std::vector<std::vector<std::uint32_t>>& dealt,
              const std::vector<controller::WorkerSnapshot>& workers);
  // Before the go: the users of `lost` (lost for good) go to `remaining`
  // in proportion to their capacity. Returns the user indices each takes
  // over, to be sent as a further assignment part.
  std::map<std::string, std::vector<std::uint32_t>> redeal_before_go(
      const std::string& lost, const std::vector<controller::WorkerSnapshot>& remaining);
  // Everything the workers reported, folded; judging comes later, once the
  // isolation checks have added their evidence.
  RunRecord run();

 private:
  void collect(std::chrono::steady_clock::time_point deadline);
  void drain();
  void note_event(const std::string& worker_id, const v1::Event& event);
  void watch_workers();
  void show_progress(bool last = false);
  // Liveness (worker_accounting.cc): workers the coordinator lost for good
  // lose their unfinished users, once each; at the end, per-worker counts,
  // clock estimates and the start skew across workers.
  void account_lost_workers();
  void account_worker(WorkerRecord& record, const controller::WorkerSnapshot& snapshot);
  void measure_start_skew(const std::vector<controller::WorkerSnapshot>& snapshots);
  std::optional<std::int64_t> first_start_of(const controller::WorkerSnapshot& w) const;
  // Probe steps that never ran on workers lost (or silent) in the probe phase.
  void account_probe_gaps(const ProbePlanSet& plans, const ProbeOutcome& outcome);
  void finish_record(std::chrono::steady_clock::time_point go);
  void probe_isolation();

  const RunConfig& config_;
  const PlatformEndpoints& target_;
  const std::vector<PlannedUser>& users_;
  controller::Coordinator& coordinator_;
  EventInbox& inbox_;
  controller::LocalWorkers& workers_;
  ProgressReporter& progress_;
  std::chrono::steady_clock::time_point go_{};  // the common start instant, controller clock
  EventLedger ledger_;
  controller::ControllerMetrics metrics_;
  controller::ResourceMonitor monitor_;
  std::vector<ProbeResult> probe_results_;
  std::set<std::string> accounted_lost_;
};

}  // namespace cast::controller
