#pragma once

#include <mutex>
#include <vector>

#include "reference/store/stores.h"

namespace cast::reference {

// Startup metrics kept in process memory, for runs without ClickHouse.
// Nothing to batch: record() stores the row at once.
class MemoryStartupMetricsSink : public StartupMetricsSink {
 public:
  void record(StartupMetric metric) override;
  void flush() override {}
  MetricsSinkCounters counters() const override;

  std::vector<StartupMetric> rows() const;

 private:
  mutable std::mutex mutex_;
  std::vector<StartupMetric> rows_;
};

}  // namespace cast::reference
