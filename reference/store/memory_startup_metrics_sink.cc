#include "reference/store/memory_startup_metrics_sink.h"

namespace cast::reference {

void MemoryStartupMetricsSink::record(StartupMetric metric) {
  std::lock_guard lock(mutex_);
  rows_.push_back(std::move(metric));
}

MetricsSinkCounters MemoryStartupMetricsSink::counters() const {
  std::lock_guard lock(mutex_);
  const auto rows = static_cast<std::uint64_t>(rows_.size());
  return MetricsSinkCounters{.rows_recorded = rows, .rows_written = rows};
}

std::vector<StartupMetric> MemoryStartupMetricsSink::rows() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

}  // namespace cast::reference
