#include "common/stats/latency_samples.h"

#include <algorithm>
#include <cmath>

namespace cast {

std::size_t nearest_rank(double p, std::size_t n) {
  double target = std::clamp(p, 0.0, 100.0) * static_cast<double>(n);
  auto rank = static_cast<std::size_t>(std::ceil(target / 100.0));
  return std::clamp<std::size_t>(rank, 1, n);
}

void LatencySamples::add(std::chrono::microseconds sample) {
  sorted_ = sorted_ && (samples_.empty() || samples_.back() <= sample.count());
  samples_.push_back(sample.count());
}

void LatencySamples::merge(const LatencySamples& other) {
  if (other.samples_.empty()) {
    return;
  }
  if (&other == this) {
    // insert() must not read from the vector it grows.
    std::vector<std::int64_t> copy = samples_;
    samples_.insert(samples_.end(), copy.begin(), copy.end());
  } else {
    samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  }
  sorted_ = false;
}

void LatencySamples::sort() const {
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
}

std::optional<std::chrono::microseconds> LatencySamples::percentile(double p) const {
  if (samples_.empty()) {
    return std::nullopt;
  }
  sort();
  return std::chrono::microseconds{samples_[nearest_rank(p, samples_.size()) - 1]};
}

LatencySummary LatencySamples::summary() const {
  LatencySummary out;
  if (samples_.empty()) {
    return out;
  }
  sort();
  long double sum = 0;
  for (std::int64_t sample : samples_) {
    sum += static_cast<long double>(sample);
  }
  out.count = samples_.size();
  out.mean_us = static_cast<double>(sum / static_cast<long double>(samples_.size()));
  out.min = std::chrono::microseconds{samples_.front()};
  out.max = std::chrono::microseconds{samples_.back()};
  out.p50 = *percentile(50);
  out.p90 = *percentile(90);
  out.p95 = *percentile(95);
  out.p99 = *percentile(99);
  return out;
}

}  // namespace cast
