#include "controller/analysis/harness_figures.h"

#include <algorithm>
#include <chrono>

#include "common/stats/latency_samples.h"

namespace cast::controller {
HarnessFigures harness_figures(const RunRecord& record) {
  HarnessFigures figures;
  LatencySamples added;
  for (const UserOutcome& user : record.users) {
    if (user.start_us && user.platform_startup_us) {
      // Never below zero: the platform rounds its own figure to whole ms.
      added.add(std::chrono::microseconds{std::max<std::int64_t>(0, *user.start_us - *user.platform_startup_us)});
    }
  }
  figures.added_startup_ms = in_milliseconds(added.summary());
  for (const WorkerRecord& worker : record.workers) {
    figures.max_loop_lag_ms = std::max(figures.max_loop_lag_ms, static_cast<double>(worker.max_loop_lag_us) / 1000);
    figures.harness_errors += worker.harness_errors;
    for (const auto& [kind, count] : worker.errors_by_kind) figures.errors_by_kind[kind] += count;
    for (const auto& [phase, count] : worker.failures_by_phase) figures.failures_by_phase[phase] += count;
  }
  return figures;
}

}  // namespace cast::controller
