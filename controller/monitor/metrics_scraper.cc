#include "controller/monitor/metrics_scraper.h"

#include <cmath>

#include "common/net/http_client.h"
#include "controller/monitor/prometheus_text.h"

namespace cast::controller {
namespace {

std::string metrics_url_of(std::string backend) {
  while (!backend.empty() && backend.back() == '/') {
    backend.pop_back();
  }
  return backend + "/metrics";
}

}  // namespace

MetricsScraper::MetricsScraper(const std::string& backend_url, std::chrono::milliseconds timeout, bool verify_peer)
    : url_(metrics_url_of(backend_url)), timeout_(timeout), verify_peer_(verify_peer) {}

std::optional<ScrapedUsage> MetricsScraper::sample() {
  HttpRequest request;
  request.url = url_;
  request.timeout = timeout_;
  request.verify_peer = verify_peer_;
  HttpResponse response;
  try {
    response = http_request(request);
  } catch (const std::exception& error) {
    last_error_ = std::string("scraping platform metrics: ") + error.what();
    return std::nullopt;
  }
  auto now = std::chrono::steady_clock::now();
  if (response.status != 200) {
    last_error_ = "scraping platform metrics: GET " + url_ + " answered " + std::to_string(response.status);
    return std::nullopt;
  }
  auto samples = parse_prometheus_text(response.body);
  auto rss = first_value(samples, "process_resident_memory_bytes");
  auto cpu = first_value(samples, "process_cpu_seconds_total");
  if (!rss && !cpu) {
    last_error_ = "scraping platform metrics: GET " + url_ +
                  " has neither process_resident_memory_bytes nor process_cpu_seconds_total";
    return std::nullopt;
  }
  ScrapedUsage usage;
  if (rss && std::isfinite(*rss) && *rss >= 0) {
    usage.rss_bytes = static_cast<std::uint64_t>(*rss);
  }
  double elapsed = std::chrono::duration<double>(now - last_at_).count();
  // A counter that went down means the platform restarted: skip one interval.
  if (cpu && last_cpu_seconds_ && *cpu >= *last_cpu_seconds_ && elapsed > 0) {
    usage.cpu_percent = 100.0 * (*cpu - *last_cpu_seconds_) / elapsed;
  }
  last_cpu_seconds_ = cpu;
  last_at_ = now;
  last_error_.clear();
  return usage;
}

}  // namespace cast::controller
