#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace cast::controller {

// The /metrics endpoint could not be opened; the message names the address.
class MetricsListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The controller's own Prometheus metrics while a run is under way:
//   cast_users{phase}                       gauge, users by phase
//   cast_agent_startups_total               counter
//   cast_errors_total{kind}                 counter
//   cast_startup_latency_seconds            histogram (from our LogHistogram)
//   cast_worker_event_lag_seconds{worker}   gauge
//   cast_events_total{worker}               counter
//
// Every update method is for the controller's run loop, one thread; the
// exposer's threads only read. Startup latencies gather in a loop-owned
// histogram that is handed to scrapes at most once a second, on the next
// update after that second, or on publish(): call publish() from the loop's
// timer so the last startups show without waiting for another update.
class ControllerMetrics {
 public:
  // `listen` is "host:port" (port 0 picks a free one; a bare port means
  // 127.0.0.1). Empty: metrics are kept (render() works) but not served.
  // Throws MetricsListenError naming the address when it cannot bind.
  explicit ControllerMetrics(const std::string& listen);
  ~ControllerMetrics();
  ControllerMetrics(const ControllerMetrics&) = delete;
  ControllerMetrics& operator=(const ControllerMetrics&) = delete;

  bool serving() const;
  std::uint16_t port() const;  // the bound port; 0 when not serving
  std::string url() const;     // http://host:port/metrics; empty when not serving

  void set_users(const std::string& phase, std::uint64_t count);
  void count_startup(std::chrono::microseconds latency);
  void count_error(const std::string& kind, std::uint64_t times = 1);
  void set_worker_event_lag(const std::string& worker_id, std::chrono::microseconds lag);
  void count_events(const std::string& worker_id, std::uint64_t events);
  void publish();

  // The exposition text a scrape would get now (after publish()).
  std::string render();

 private:
  struct State;
  void publish_if_due();

  std::unique_ptr<State> state_;
};

}  // namespace cast::controller
