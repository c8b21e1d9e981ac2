#include "worker/session/worker_summary.h"

#include <algorithm>

namespace cast::worker {

void WorkerSummary::merge(const WorkerSummary& other) {
  users += other.users;
  succeeded += other.succeeded;
  failed += other.failed;
  cancelled += other.cancelled;
  events_emitted += other.events_emitted;
  max_schedule_lag_us = std::max(max_schedule_lag_us, other.max_schedule_lag_us);
  for (const auto& [kind, count] : other.errors_by_kind) {
    errors_by_kind[kind] += count;
  }
  for (const auto& [phase, count] : other.failures_by_phase) {
    failures_by_phase[phase] += count;
  }
  harness_errors += other.harness_errors;
}

}  // namespace cast::worker
