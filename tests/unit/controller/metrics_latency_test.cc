#include <doctest/doctest.h>

#include <cmath>

#include "controller/metrics/controller_metrics.h"
#include "controller/metrics/latency_export.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using namespace cast::controller;

TEST_CASE("metrics: latency histogram buckets are cumulative and +Inf equals the count") {
  cast::LogHistogram histogram;
  histogram.add(5ms);  // below every bound but the first
  histogram.add(300ms, 3);
  histogram.add(4'200ms);
  histogram.add(7s);
  histogram.add(120s);  // beyond the last bound: only in +Inf
  auto family = render_latency_histogram(histogram, "lat", "help");
  REQUIRE(family.metric.size() == 1);
  const auto& h = family.metric[0].histogram;
  CHECK(h.sample_count == 7);
  CHECK(h.sample_sum == doctest::Approx(0.005 + 0.9 + 4.2 + 7 + 120));
  REQUIRE(h.bucket.size() == startup_latency_bounds().size() + 1);
  for (std::size_t i = 1; i < h.bucket.size(); ++i) {
    CHECK(h.bucket[i].upper_bound > h.bucket[i - 1].upper_bound);
    CHECK(h.bucket[i].cumulative_count >= h.bucket[i - 1].cumulative_count);
  }
  CHECK(std::isinf(h.bucket.back().upper_bound));
  CHECK(h.bucket.back().cumulative_count == 7);
  auto at = [&](double bound) {
    for (const auto& bucket : h.bucket) {
      if (bucket.upper_bound == bound) {
        return bucket.cumulative_count;
      }
    }
    FAIL("no bucket le=" << bound);
    return std::uint64_t{0};
  };
  CHECK(at(0.01) == 1);
  CHECK(at(0.25) == 1);
  CHECK(at(0.5) == 4);
  CHECK(at(5) == 5);
  CHECK(at(8) == 6);
  CHECK(at(60) == 6);
}

TEST_CASE("metrics: an empty histogram renders zero buckets and a zero +Inf") {
  auto family = render_latency_histogram(cast::LogHistogram{}, "lat", "help");
  const auto& h = family.metric[0].histogram;
  CHECK(h.sample_count == 0);
  for (const auto& bucket : h.bucket) {
    CHECK(bucket.cumulative_count == 0);
  }
}

TEST_CASE("metrics: without a listen address nothing is served but render() shows every update") {
  ControllerMetrics metrics("");
  CHECK_FALSE(metrics.serving());
  CHECK(metrics.port() == 0);
  CHECK(metrics.url().empty());
  metrics.set_users("session", 7);
  metrics.count_startup(1500ms);
  metrics.count_error("timeout", 2);
  metrics.count_events("local-1", 40);
  metrics.set_worker_event_lag("local-1", 250ms);
  auto text = metrics.render();
  CHECK(text.find("cast_users{phase=\"session\"} 7") != std::string::npos);
  CHECK(text.find("cast_agent_startups_total 1") != std::string::npos);
  CHECK(text.find("cast_errors_total{kind=\"timeout\"} 2") != std::string::npos);
  CHECK(text.find("cast_events_total{worker=\"local-1\"} 40") != std::string::npos);
  CHECK(text.find("cast_worker_event_lag_seconds{worker=\"local-1\"} 0.25") != std::string::npos);
  CHECK(text.find("cast_startup_latency_seconds_count 1") != std::string::npos);
  CHECK(text.find("cast_startup_latency_seconds_bucket{le=\"2\"} 1") != std::string::npos);
  CHECK(text.find("cast_startup_latency_seconds_bucket{le=\"1\"} 0") != std::string::npos);
}
