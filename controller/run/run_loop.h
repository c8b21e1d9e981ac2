#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/config/run_config.h"
#include "controller/metrics/controller_metrics.h"
#include "controller/monitor/resource_monitor.h"
#include "controller/plan/population.h"
#include "controller/probes/probe_result.h"
#include "controller/report/progress_line.h"
#include "controller/run/event_ledger.h"
#include "controller/run/platform_target.h"

namespace cast {

namespace controller {
class Coordinator;
class LocalWorkers;
struct WorkerSnapshot;
}  // namespace controller

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
  // Everything the workers reported, folded; judging comes later, once the
  // isolation checks have added their evidence.
  RunRecord run();

 private:
  void collect(std::chrono::steady_clock::time_point deadline);
  void drain();
  void note_event(const std::string& worker_id, const v1::Event& event);
  void watch_workers();
  void show_progress(bool last = false);
  void finish_record(std::chrono::steady_clock::time_point go);
  void probe_isolation();

  const RunConfig& config_;
  const PlatformEndpoints& target_;
  const std::vector<PlannedUser>& users_;
  controller::Coordinator& coordinator_;
  EventInbox& inbox_;
  controller::LocalWorkers& workers_;
  ProgressReporter& progress_;
  std::chrono::steady_clock::time_point go_{};
  EventLedger ledger_;
  controller::ControllerMetrics metrics_;
  controller::ResourceMonitor monitor_;
  std::vector<ProbeResult> probe_results_;
};

}  // namespace cast
