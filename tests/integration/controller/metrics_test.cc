// The controller's /metrics over real HTTP on 127.0.0.1, read back with the
// monitor's exposition parser.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "common/net/http_client.h"
#include "common/process/loopback_port.h"
#include "controller/metrics/controller_metrics.h"
#include "controller/monitor/prometheus_text.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;
using namespace cast::controller;

namespace {

// A fresh port can be taken by someone else before we bind: retry a few.
std::unique_ptr<ControllerMetrics> serve_on_free_port() {
  for (int attempt = 1;; ++attempt) {
    try {
      return std::make_unique<ControllerMetrics>("127.0.0.1:" + std::to_string(cast::free_loopback_port()));
    } catch (const MetricsListenError&) {
      if (attempt == 4) {
        throw;
      }
    }
  }
}

std::vector<PrometheusSample> scrape(const ControllerMetrics& metrics) {
  auto response = cast::http_get(metrics.url(), 10s);
  REQUIRE(response.status == 200);
  return parse_prometheus_text(response.body);
}

std::optional<double> value_of(const std::vector<PrometheusSample>& samples, const std::string& name,
                               const std::map<std::string, std::string>& labels = {}) {
  for (const auto& sample : samples) {
    if (sample.name == name && sample.labels == labels) {
      return sample.value;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("metrics: a scrape shows every metric with the values the run loop set") {
  auto metrics = serve_on_free_port();
  REQUIRE(metrics->serving());
  CHECK(metrics->url() == "http://127.0.0.1:" + std::to_string(metrics->port()) + "/metrics");
  metrics->set_users("connect", 3);
  metrics->set_users("session", 10);
  metrics->set_users("connect", 1);  // a gauge: the latest value counts
  metrics->count_error("timeout");
  metrics->count_error("timeout", 2);
  metrics->count_error("overloaded");
  metrics->count_events("local-1", 100);
  metrics->count_events("local-1", 20);
  metrics->count_events("local-2", 5);
  metrics->set_worker_event_lag("local-2", 1500ms);
  for (std::chrono::milliseconds latency : {20ms, 400ms, 700ms, 1200ms, 6000ms}) {
    metrics->count_startup(latency);
  }
  metrics->publish();

  auto samples = scrape(*metrics);
  CHECK(value_of(samples, "cast_users", {{"phase", "connect"}}) == 1);
  CHECK(value_of(samples, "cast_users", {{"phase", "session"}}) == 10);
  CHECK(value_of(samples, "cast_errors_total", {{"kind", "timeout"}}) == 3);
  CHECK(value_of(samples, "cast_errors_total", {{"kind", "overloaded"}}) == 1);
  CHECK(value_of(samples, "cast_events_total", {{"worker", "local-1"}}) == 120);
  CHECK(value_of(samples, "cast_events_total", {{"worker", "local-2"}}) == 5);
  CHECK(value_of(samples, "cast_worker_event_lag_seconds", {{"worker", "local-2"}}) == 1.5);
  CHECK(value_of(samples, "cast_agent_startups_total") == 5);
  CHECK(value_of(samples, "cast_startup_latency_seconds_count") == 5);
  CHECK(value_of(samples, "cast_startup_latency_seconds_sum") == doctest::Approx(8.32));
}

TEST_CASE("metrics: the latency histogram's buckets are cumulative and end in +Inf equal to the count") {
  auto metrics = serve_on_free_port();
  for (std::chrono::milliseconds latency : {20ms, 400ms, 700ms, 1200ms, 6000ms, 90000ms}) {
    metrics->count_startup(latency);
  }
  metrics->publish();
  auto samples = scrape(*metrics);
  std::vector<std::pair<double, double>> buckets;  // (le, count) in exposition order
  for (const auto& sample : samples) {
    if (sample.name == "cast_startup_latency_seconds_bucket") {
      const auto& le = sample.labels.at("le");
      buckets.emplace_back(le == "+Inf" ? INFINITY : std::stod(le), sample.value);
    }
  }
  REQUIRE(buckets.size() > 5);
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    CHECK(buckets[i].first > buckets[i - 1].first);
    CHECK(buckets[i].second >= buckets[i - 1].second);
  }
  CHECK(std::isinf(buckets.back().first));
  CHECK(buckets.back().second == 6);
  CHECK(value_of(samples, "cast_startup_latency_seconds_count") == 6);
  CHECK(value_of(samples, "cast_startup_latency_seconds_bucket", {{"le", "0.5"}}) == 2);
  CHECK(value_of(samples, "cast_startup_latency_seconds_bucket", {{"le", "5"}}) == 4);
  CHECK(value_of(samples, "cast_startup_latency_seconds_bucket", {{"le", "60"}}) == 5);
}

TEST_CASE("metrics: startups reach a scrape only once published, then all of them") {
  auto metrics = serve_on_free_port();
  metrics->publish();
  metrics->count_startup(100ms);  // within a second of the last publish: held back
  CHECK(value_of(scrape(*metrics), "cast_startup_latency_seconds_count") == 0);
  metrics->publish();
  CHECK(value_of(scrape(*metrics), "cast_startup_latency_seconds_count") == 1);
}

TEST_CASE("metrics: a taken address is refused with an error that names it") {
  auto first = serve_on_free_port();
  std::string address = "127.0.0.1:" + std::to_string(first->port());
  try {
    ControllerMetrics second(address);
    FAIL("a second exposer bound " << address);
  } catch (const MetricsListenError& error) {
    CHECK(std::string(error.what()).find(address) != std::string::npos);
  }
}
