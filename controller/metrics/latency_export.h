#pragma once

// Our LogHistogram as a Prometheus histogram. A narrow header: only the
// metrics code and its tests include prometheus types.
//
// Why a custom Collectable rather than prometheus::Histogram: its Observe()
// takes a mutex per sample and its buckets are fixed up front, while the
// controller already folds every startup into a LogHistogram on its loop
// thread. The loop hands a copy over at most about once a second (a few
// KB), and a scrape renders that copy; no lock is taken per startup.

#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "common/stats/log_histogram.h"

namespace cast::controller {

// The `le` bounds of cast_startup_latency_seconds, seconds: round numbers
// so that dashboards can draw the 5 s and 8 s limits and add runs up.
const std::vector<double>& startup_latency_bounds();

// Cumulative counts per bound, then +Inf equal to the count. A bucket
// counts the samples LogHistogram knows to be <= its bound; a sample within
// LogHistogram::kRelativeError (1.6 %) below a bound may land one bucket
// higher, which errs towards slower, never faster.
prometheus::MetricFamily render_latency_histogram(const LogHistogram& histogram, const std::string& name,
                                                  const std::string& help);

class LatencyHistogramExport : public prometheus::Collectable {
 public:
  LatencyHistogramExport(std::string name, std::string help);

  // From the owning loop thread; a scrape sees this copy until the next.
  void replace(const LogHistogram& histogram);
  // From the exposer's threads.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name_;
  std::string help_;
  mutable std::mutex mutex_;
  LogHistogram snapshot_;
};

}  // namespace cast::controller
