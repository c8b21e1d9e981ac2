#include "common/stats/log_histogram.h"

#include <algorithm>
#include <bit>

#include "common/stats/latency_samples.h"

namespace cast {
namespace {

constexpr int kBits = LogHistogram::kSubBucketBits;
constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kBits;

std::size_t index_of(std::int64_t value) {
  auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0));
  if (v < kSubBuckets) {
    return static_cast<std::size_t>(v);
  }
  int shift = std::bit_width(v) - 1 - kBits;
  std::uint64_t mantissa = v >> shift;  // in [kSubBuckets, 2 * kSubBuckets)
  return static_cast<std::size_t>(kSubBuckets * static_cast<std::uint64_t>(shift) + mantissa);
}

HistogramBucket bucket_at(std::size_t index, std::uint64_t count) {
  if (index < kSubBuckets) {
    auto v = static_cast<std::int64_t>(index);
    return {v, v, count};
  }
  std::uint64_t shift = index / kSubBuckets - 1;
  std::uint64_t mantissa = index % kSubBuckets + kSubBuckets;
  auto lower = mantissa << shift;
  auto upper = ((mantissa + 1) << shift) - 1;
  return {static_cast<std::int64_t>(lower), static_cast<std::int64_t>(upper), count};
}

}  // namespace

void LogHistogram::add(std::chrono::microseconds value, std::uint64_t times) {
  if (times == 0) {
    return;
  }
  std::int64_t v = std::max<std::int64_t>(value.count(), 0);
  std::size_t index = index_of(v);
  if (index >= counts_.size()) {
    counts_.resize(index + 1, 0);
  }
  counts_[index] += times;
  min_us_ = count_ == 0 ? v : std::min(min_us_, v);
  max_us_ = count_ == 0 ? v : std::max(max_us_, v);
  count_ += times;
  sum_us_ += v * static_cast<std::int64_t>(times);
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.count_ == 0) {
    return;
  }
  if (other.counts_.size() > counts_.size()) {
    counts_.resize(other.counts_.size(), 0);
  }
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  min_us_ = count_ == 0 ? other.min_us_ : std::min(min_us_, other.min_us_);
  max_us_ = count_ == 0 ? other.max_us_ : std::max(max_us_, other.max_us_);
  count_ += other.count_;
  sum_us_ += other.sum_us_;
}

std::optional<std::chrono::microseconds> LogHistogram::min() const {
  return count_ == 0 ? std::nullopt : std::optional(std::chrono::microseconds{min_us_});
}

std::optional<std::chrono::microseconds> LogHistogram::max() const {
  return count_ == 0 ? std::nullopt : std::optional(std::chrono::microseconds{max_us_});
}

std::optional<std::chrono::microseconds> LogHistogram::quantile(double p) const {
  if (count_ == 0) {
    return std::nullopt;
  }
  std::uint64_t rank = nearest_rank(p, count_);
  // The extremes are known exactly; no need to estimate them.
  if (rank == 1) {
    return std::chrono::microseconds{min_us_};
  }
  if (rank == count_) {
    return std::chrono::microseconds{max_us_};
  }
  std::uint64_t seen = 0;
  std::size_t index = 0;
  while (seen + counts_[index] < rank) {
    seen += counts_[index];
    ++index;
  }
  HistogramBucket bucket = bucket_at(index, counts_[index]);
  std::int64_t middle = bucket.lower_us + (bucket.upper_us - bucket.lower_us) / 2;
  return std::chrono::microseconds{std::clamp(middle, min_us_, max_us_)};
}

std::vector<HistogramBucket> LogHistogram::buckets() const {
  std::vector<HistogramBucket> out;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] > 0) {
      out.push_back(bucket_at(i, counts_[i]));
    }
  }
  return out;
}

std::uint64_t LogHistogram::count_at_most(std::chrono::microseconds bound) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] > 0 && bucket_at(i, 0).upper_us <= bound.count()) {
      total += counts_[i];
    }
  }
  return total;
}

HistogramBucket LogHistogram::bucket_of(std::chrono::microseconds value) {
  return bucket_at(index_of(std::max<std::int64_t>(value.count(), 0)), 0);
}

bool operator==(const LogHistogram& a, const LogHistogram& b) {
  if (a.count_ != b.count_ || a.sum_us_ != b.sum_us_) {
    return false;
  }
  if (a.count_ > 0 && (a.min_us_ != b.min_us_ || a.max_us_ != b.max_us_)) {
    return false;
  }
  std::size_t n = std::max(a.counts_.size(), b.counts_.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t x = i < a.counts_.size() ? a.counts_[i] : 0;
    std::uint64_t y = i < b.counts_.size() ? b.counts_[i] : 0;
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace cast
