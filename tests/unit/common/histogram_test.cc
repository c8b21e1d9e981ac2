#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "common/stats/latency_samples.h"
#include "common/stats/log_histogram.h"

using std::chrono::microseconds;

TEST_CASE("histogram buckets tile the value range and stay within the relative error") {
  std::int64_t v = 0;
  int buckets = 0;
  while (v <= (std::int64_t{1} << 40)) {
    auto bucket = cast::LogHistogram::bucket_of(microseconds{v});
    // Each bucket starts right after the previous one ends, and every value
    // inside it maps back to it.
    REQUIRE(bucket.lower_us == v);
    REQUIRE(bucket.upper_us >= bucket.lower_us);
    REQUIRE(cast::LogHistogram::bucket_of(microseconds{bucket.upper_us}).lower_us == v);
    auto middle = bucket.lower_us + (bucket.upper_us - bucket.lower_us) / 2;
    REQUIRE(cast::LogHistogram::bucket_of(microseconds{middle}).lower_us == v);
    double width = static_cast<double>(bucket.upper_us - bucket.lower_us);
    REQUIRE(width <= cast::LogHistogram::kRelativeError * static_cast<double>(std::max<std::int64_t>(v, 1)));
    v = bucket.upper_us + 1;
    ++buckets;
  }
  CHECK(buckets < 4000);
  auto top = cast::LogHistogram::bucket_of(microseconds{INT64_MAX});
  CHECK(top.upper_us == INT64_MAX);
  CHECK(cast::LogHistogram::bucket_of(microseconds{top.lower_us}).upper_us == INT64_MAX);
  CHECK(cast::LogHistogram::bucket_of(microseconds{-3}).upper_us == 0);
}

TEST_CASE("merged histograms equal the histogram of the union") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(12.0, 1.2);
  cast::LogHistogram union_histogram;
  std::vector<cast::LogHistogram> per_thread(3);
  for (int i = 0; i < 20000; ++i) {
    auto v = microseconds{static_cast<std::int64_t>(latency(rng))};
    union_histogram.add(v);
    per_thread[rng() % per_thread.size()].add(v);
  }
  cast::LogHistogram merged;
  for (const auto& h : per_thread) {
    merged.merge(h);
  }
  CHECK(merged == union_histogram);
  CHECK(merged.count() == 20000);
  CHECK(merged.buckets().size() == union_histogram.buckets().size());

  merged.add(microseconds{1});
  CHECK_FALSE(merged == union_histogram);
}

TEST_CASE("histogram quantiles are within the bucket error of the exact percentile") {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(11.0, 1.5);
  for (int size : {1, 2, 17, 1000, 50000}) {
    CAPTURE(size);
    cast::LogHistogram histogram;
    cast::LatencySamples exact;
    for (int i = 0; i < size; ++i) {
      auto v = microseconds{static_cast<std::int64_t>(latency(rng))};
      histogram.add(v);
      exact.add(v);
    }
    for (double p : {0.0, 50.0, 90.0, 95.0, 99.0, 100.0}) {
      CAPTURE(p);
      auto truth = static_cast<double>(exact.percentile(p)->count());
      auto estimate = static_cast<double>(histogram.quantile(p)->count());
      CHECK(std::abs(estimate - truth) <= cast::LogHistogram::kRelativeError * truth);
    }
    CHECK(histogram.quantile(0) == exact.percentile(0));
    CHECK(histogram.quantile(100) == exact.percentile(100));
  }
}

TEST_CASE("histogram buckets serve display and cumulative export") {
  cast::LogHistogram histogram;
  CHECK_FALSE(histogram.quantile(50).has_value());
  CHECK_FALSE(histogram.min().has_value());
  histogram.add(microseconds{10}, 3);
  histogram.add(microseconds{1000});
  histogram.add(microseconds{1005});
  histogram.add(microseconds{-4});  // counted as 0

  auto buckets = histogram.buckets();
  REQUIRE(buckets.size() == 3);
  CHECK(buckets[0].lower_us == 0);
  CHECK(buckets[0].count == 1);
  CHECK(buckets[1].lower_us == 10);
  CHECK(buckets[1].count == 3);
  CHECK(buckets[2].lower_us <= 1000);
  CHECK(buckets[2].upper_us >= 1005);
  CHECK(buckets[2].count == 2);
  CHECK(histogram.count() == 6);
  CHECK(histogram.sum_us() == 30 + 2005);
  CHECK(histogram.min() == microseconds{0});
  CHECK(histogram.max() == microseconds{1005});

  CHECK(histogram.count_at_most(microseconds{9}) == 1);
  CHECK(histogram.count_at_most(microseconds{10}) == 4);
  CHECK(histogram.count_at_most(microseconds{buckets[2].upper_us}) == 6);
  CHECK(histogram.count_at_most(microseconds{buckets[2].upper_us - 1}) == 4);
}
