#include "controller/analysis/harness_figures.h"

#include <algorithm>
#include <chrono>

#include "common/stats/latency_samples.h"

namespace cast {
namespace {

LatencySummaryMs in_ms(const LatencySamples& samples) {
  LatencySummary exact = samples.summary();
  auto ms = [](std::chrono::microseconds value) { return static_cast<double>(value.count()) / 1000; };
  LatencySummaryMs summary;
  summary.count = exact.count;
  summary.mean = exact.mean_us / 1000;
  summary.p50 = ms(exact.p50);
  summary.p90 = ms(exact.p90);
  summary.p95 = ms(exact.p95);
  summary.p99 = ms(exact.p99);
  summary.max = ms(exact.max);
  return summary;
}

}  // namespace

HarnessFigures harness_figures(const RunRecord& record) {
  HarnessFigures figures;
  LatencySamples added;
  for (const UserOutcome& user : record.users) {
    if (user.start_us && user.platform_startup_us) {
      // Never below zero: the platform rounds its own figure to whole ms.
      added.add(std::chrono::microseconds{std::max<std::int64_t>(0, *user.start_us - *user.platform_startup_us)});
    }
  }
  figures.added_startup_ms = in_ms(added);
  for (const WorkerRecord& worker : record.workers) {
    figures.max_loop_lag_ms = std::max(figures.max_loop_lag_ms, static_cast<double>(worker.max_loop_lag_us) / 1000);
    figures.harness_errors += worker.harness_errors;
    for (const auto& [kind, count] : worker.errors_by_kind) figures.errors_by_kind[kind] += count;
    for (const auto& [phase, count] : worker.failures_by_phase) figures.failures_by_phase[phase] += count;
  }
  return figures;
}

}  // namespace cast
