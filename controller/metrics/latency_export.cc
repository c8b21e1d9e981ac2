#include "controller/metrics/latency_export.h"

#include <cmath>
#include <limits>

namespace cast::controller {

const std::vector<double>& startup_latency_bounds() {
  static const std::vector<double> bounds{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 30, 60};
  return bounds;
}

prometheus::MetricFamily render_latency_histogram(const LogHistogram& histogram, const std::string& name,
                                                  const std::string& help) {
  prometheus::ClientMetric metric;
  metric.histogram.sample_count = histogram.count();
  metric.histogram.sample_sum = static_cast<double>(histogram.sum_us()) / 1e6;
  for (double bound : startup_latency_bounds()) {
    auto bound_us = std::chrono::microseconds{std::llround(bound * 1e6)};
    metric.histogram.bucket.push_back({histogram.count_at_most(bound_us), bound});
  }
  metric.histogram.bucket.push_back({histogram.count(), std::numeric_limits<double>::infinity()});
  return prometheus::MetricFamily{name, help, prometheus::MetricType::Histogram, {metric}};
}

LatencyHistogramExport::LatencyHistogramExport(std::string name, std::string help)
    : name_(std::move(name)), help_(std::move(help)) {}

void LatencyHistogramExport::replace(const LogHistogram& histogram) {
  std::lock_guard lock(mutex_);
  snapshot_ = histogram;
}

std::vector<prometheus::MetricFamily> LatencyHistogramExport::Collect() const {
  LogHistogram copy;
  {
    std::lock_guard lock(mutex_);
    copy = snapshot_;
  }
  return {render_latency_histogram(copy, name_, help_)};
}

}  // namespace cast::controller
