#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace cast {

struct HistogramBucket {
  std::int64_t lower_us{0};  // microseconds, inclusive
  std::int64_t upper_us{0};  // microseconds, inclusive
  std::uint64_t count{0};
};

// Latencies in log-spaced buckets, for display and live metrics (verdicts
// use LatencySamples). Values below 64 us get a bucket each; above, every
// power of two is cut into 64 equal buckets, so a bucket is never wider than
// 1/64 (1.6 %) of its lower bound. HdrHistogram's layout, cut down to what
// cast needs. Memory grows with the largest value seen: under 4000 buckets
// for any int64.
//
// No locks: each thread owns one; merge them at the end or on a timer.
class LogHistogram {
 public:
  static constexpr int kSubBucketBits = 6;
  // Largest (upper - lower) / lower of any bucket.
  static constexpr double kRelativeError = 1.0 / (1 << kSubBucketBits);

  // Negative durations cannot come from a monotonic clock; they count as 0
  // rather than failing in the hot path.
  void add(std::chrono::microseconds value, std::uint64_t times = 1);
  void merge(const LogHistogram& other);

  std::uint64_t count() const { return count_; }
  std::int64_t sum_us() const { return sum_us_; }  // microseconds
  std::optional<std::chrono::microseconds> min() const;
  std::optional<std::chrono::microseconds> max() const;

  // Nearest rank like LatencySamples::percentile, answered with the middle of
  // the bucket holding that rank (the exact min and max for the first and
  // last rank): off from the exact value by at most kRelativeError of it.
  std::optional<std::chrono::microseconds> quantile(double p) const;

  // Non-empty buckets, ascending.
  std::vector<HistogramBucket> buckets() const;

  // Samples certainly <= bound: those in buckets whose upper end is <= bound.
  // Exact when bound is a bucket's upper end; for Prometheus `le` counts.
  std::uint64_t count_at_most(std::chrono::microseconds bound) const;

  // The bucket a value falls into, for callers that want to line up bounds.
  static HistogramBucket bucket_of(std::chrono::microseconds value);

  friend bool operator==(const LogHistogram& a, const LogHistogram& b);

 private:
  std::vector<std::uint64_t> counts_;  // by bucket index
  std::uint64_t count_{0};
  std::int64_t sum_us_{0};  // microseconds
  std::int64_t min_us_{0};  // microseconds; meaningful when count_ > 0
  std::int64_t max_us_{0};  // microseconds; meaningful when count_ > 0
};

}  // namespace cast
