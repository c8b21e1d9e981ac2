#pragma once

// What the backend exposes on GET /metrics, through prometheus-cpp's
// registry and text serializer. Process figures are read from /proc/self at
// scrape time, so they are current without a sampling thread.

#include <memory>
#include <mutex>
#include <string>

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T>
class Family;
}  // namespace prometheus

namespace cast::reference {

class PlatformMetrics {
 public:
  PlatformMetrics();
  ~PlatformMetrics();

  void connection_opened();
  void connection_closed();
  void agent_started();
  void message_answered();
  void error_sent(const std::string& code);
  // The Prometheus text exposition, process figures refreshed first.
  std::string scrape();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge& active_connections_;
  prometheus::Counter& startups_;
  prometheus::Counter& messages_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Gauge& resident_bytes_;
  prometheus::Counter& cpu_seconds_;
  std::mutex scrape_mutex_;
};

}  // namespace cast::reference
