#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace cast {

struct LatencySummary {
  std::uint64_t count{0};
  double mean_us{0};                 // microseconds; 0 when count is 0
  std::chrono::microseconds min{0};  // all of these are 0 when count is 0
  std::chrono::microseconds p50{0};
  std::chrono::microseconds p90{0};
  std::chrono::microseconds p95{0};
  std::chrono::microseconds p99{0};
  std::chrono::microseconds max{0};
};

// Every latency sample of one kind, exactly, in microseconds. Verdicts are
// taken from these, never from histograms and never from averaged
// percentiles: per-thread and per-worker samples are merged, then asked.
//
// Not thread-safe, not even the const members (they sort lazily): each
// thread owns its own and hands it over to be merged.
class LatencySamples {
 public:
  void add(std::chrono::microseconds sample);
  void merge(const LatencySamples& other);
  void reserve(std::size_t n) { samples_.reserve(n); }

  std::size_t count() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }

  // Nearest rank: the smallest sample v such that at least p% of all
  // samples are <= v. p is clamped to [0, 100]; p = 0 gives the minimum,
  // p = 100 the maximum. nullopt when there are no samples.
  std::optional<std::chrono::microseconds> percentile(double p) const;

  LatencySummary summary() const;

  // The raw samples (in no particular order), for shipping to the controller.
  const std::vector<std::int64_t>& values_us() const { return samples_; }

 private:
  void sort() const;

  mutable std::vector<std::int64_t> samples_;
  mutable bool sorted_{true};
};

// The 1-based nearest rank of percentile p among n samples, n > 0: the
// smallest r with r * 100 >= p * n, i.e. ceil(p * n / 100), at least 1.
// Shared with the histogram so both answer the same question.
std::size_t nearest_rank(double p, std::size_t n);

}  // namespace cast
