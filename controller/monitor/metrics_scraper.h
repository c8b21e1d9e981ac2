#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cast::controller {

struct ScrapedUsage {
  std::optional<std::uint64_t> rss_bytes;  // process_resident_memory_bytes, bytes
  std::optional<double> cpu_percent;       // of one core, from two process_cpu_seconds_total readings
};

// The platform's own view of its memory and CPU, from `GET {backend}/metrics`
// (protocol.md requires process_resident_memory_bytes and
// process_cpu_seconds_total there). For platforms that are not local
// processes; local ones are read from /proc instead.
//
// Not thread-safe: one sampling thread drives it. Never throws from
// sample(): a failed scrape is a gap in the series, with the reason kept.
class MetricsScraper {
 public:
  explicit MetricsScraper(const std::string& backend_url,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds{2'000},
                          bool verify_peer = true);

  // None when the scrape failed; last_error() then says why, naming the URL.
  std::optional<ScrapedUsage> sample();
  const std::string& last_error() const { return last_error_; }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
  bool verify_peer_{true};
  std::string last_error_;
  std::optional<double> last_cpu_seconds_;  // seconds
  std::chrono::steady_clock::time_point last_at_{};
};

}  // namespace cast::controller
