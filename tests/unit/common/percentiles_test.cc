#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "common/stats/latency_samples.h"

using std::chrono::microseconds;

namespace {

// The definition, spelled out: the smallest sample v such that at least p%
// of the samples are <= v.
std::int64_t brute_force_percentile(const std::vector<std::int64_t>& values, double p) {
  std::int64_t best = 0;
  bool found = false;
  for (std::int64_t v : values) {
    auto at_most = std::count_if(values.begin(), values.end(), [v](std::int64_t x) { return x <= v; });
    bool enough = static_cast<double>(at_most) * 100.0 >= p * static_cast<double>(values.size());
    if (enough && (!found || v < best)) {
      best = v;
      found = true;
    }
  }
  return best;
}

// Quadratic brute force is too slow for 100 000 samples; this one sorts but
// still counts rather than computing a rank.
std::int64_t sorted_brute_force(std::vector<std::int64_t> values, double p) {
  std::sort(values.begin(), values.end());
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[i]) {
      ++j;
    }
    if (static_cast<double>(j + 1) * 100.0 >= p * static_cast<double>(values.size())) {
      return values[i];
    }
    i = j;
  }
  return values.back();
}

}  // namespace

TEST_CASE("percentiles follow the nearest-rank definition on small sets") {
  cast::LatencySamples samples;
  CHECK_FALSE(samples.percentile(50).has_value());
  CHECK(samples.summary().count == 0);

  samples.add(microseconds{7});
  CHECK(samples.percentile(0) == microseconds{7});
  CHECK(samples.percentile(100) == microseconds{7});

  samples.add(microseconds{3});
  CHECK(samples.percentile(50) == microseconds{3});  // 1 of 2 is 50 %
  CHECK(samples.percentile(50.1) == microseconds{7});
  CHECK(samples.percentile(-5) == microseconds{3});
  CHECK(samples.percentile(500) == microseconds{7});

  cast::LatencySamples hundred;
  for (int i = 100; i >= 1; --i) {
    hundred.add(microseconds{i});
  }
  CHECK(hundred.percentile(95) == microseconds{95});
  CHECK(hundred.percentile(99) == microseconds{99});
  CHECK(hundred.percentile(99.5) == microseconds{100});
  auto summary = hundred.summary();
  CHECK(summary.count == 100);
  CHECK(summary.mean_us == doctest::Approx(50.5));
  CHECK(summary.min == microseconds{1});
  CHECK(summary.max == microseconds{100});
  CHECK(summary.p50 == microseconds{50});
  CHECK(summary.p90 == microseconds{90});
}

TEST_CASE("nearest_rank is the smallest rank covering p percent") {
  CHECK(cast::nearest_rank(95, 20) == 19);
  CHECK(cast::nearest_rank(95, 21) == 20);
  CHECK(cast::nearest_rank(0, 5) == 1);
  CHECK(cast::nearest_rank(100, 5) == 5);
  CHECK(cast::nearest_rank(99.9, 1000) == 999);
  CHECK(cast::nearest_rank(14.3, 1000) == 143);
}

TEST_CASE("merged per-worker samples give the percentiles of the concatenation") {
  std::mt19937_64 rng(20260101);
  std::lognormal_distribution<double> latency(11.0, 0.8);  // around 60 ms, long tail
  for (std::size_t size : {0, 1, 2, 3, 10, 99, 100, 101, 1000, 100000}) {
    CAPTURE(size);
    std::vector<std::int64_t> all;
    std::vector<cast::LatencySamples> workers(4);
    for (std::size_t i = 0; i < size; ++i) {
      // Coarse values so that ties are common.
      auto v = static_cast<std::int64_t>(latency(rng)) / 100 * 100;
      all.push_back(v);
      workers[rng() % workers.size()].add(microseconds{v});
    }
    cast::LatencySamples merged;
    for (const auto& worker : workers) {
      merged.merge(worker);
    }
    REQUIRE(merged.count() == size);
    for (double p : {0.0, 1.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
      CAPTURE(p);
      if (size == 0) {
        CHECK_FALSE(merged.percentile(p).has_value());
        continue;
      }
      std::int64_t expected = size <= 1000 ? brute_force_percentile(all, p) : sorted_brute_force(all, p);
      CHECK(merged.percentile(p)->count() == expected);
    }
  }
}

TEST_CASE("samples stay correct when added after a query and when merged with themselves") {
  cast::LatencySamples samples;
  samples.add(microseconds{5});
  samples.add(microseconds{1});
  CHECK(samples.percentile(100) == microseconds{5});
  samples.add(microseconds{3});  // after the lazy sort
  CHECK(samples.percentile(50) == microseconds{3});
  samples.merge(samples);
  CHECK(samples.count() == 6);
  CHECK(samples.percentile(50) == microseconds{3});
  CHECK(samples.summary().mean_us == doctest::Approx(3.0));
}
