#pragma once

#include <sys/types.h>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/analysis/run_record.h"

namespace cast::controller {

struct ResourceMonitorConfig {
  std::chrono::milliseconds interval{200};  // between samples; one more is taken when stopped
  std::size_t max_samples{10'000};          // kept in memory; beyond, the series is thinned to every other sample
  std::vector<pid_t> platform_pids{};       // local platform processes, read from /proc; empty = scrape instead
  bool include_children{true};              // count the platform pids' descendants too (PostgreSQL backends)
  std::string backend_url{};  // platform whose {backend}/metrics is scraped when no pids are given; empty = none
  std::chrono::milliseconds scrape_timeout{2'000};  // per /metrics request
  bool verify_peer{true};                           // https scrape only
};

// Highest values over every sample taken, including those thinned away.
struct ResourcePeaks {
  double host_cpu_percent{0};      // all cores, %
  double platform_rss_mb{0};       // MB
  double platform_cpu_percent{0};  // of one core
};

// Samples host CPU and the platform's memory and CPU on its own thread
// every `interval` while a run is under way, for test case 3 and the
// report's resource series: at the origin when it lies ahead, every
// interval after it, and once more on stop(), so that a load shorter than
// an interval still has its first and last moments measured. Platform figures come from /proc when the
// platform's pids are known (embedded default) and from its /metrics
// otherwise; with neither they stay 0.
//
// Memory is bounded: when max_samples are held, every other one is dropped
// and from then on only every second (fourth, ...) tick is kept, so the
// series always spans the whole run. Peaks are tracked over every tick.
//
// start() and stop() from one owning thread; samples(), peaks() and
// last_error() from any thread.
class ResourceMonitor {
 public:
  explicit ResourceMonitor(ResourceMonitorConfig config);
  ~ResourceMonitor();  // stops
  ResourceMonitor(const ResourceMonitor&) = delete;
  ResourceMonitor& operator=(const ResourceMonitor&) = delete;

  // `origin` is t_s = 0 of the samples: the run's start.
  void start(std::chrono::steady_clock::time_point origin = std::chrono::steady_clock::now());
  void stop();  // idempotent; joins the thread

  std::vector<ResourceSample> samples() const;
  ResourcePeaks peaks() const;
  std::size_t ticks() const;       // samples taken, kept or not
  std::string last_error() const;  // latest sampling problem (e.g. scrape failure); empty when none

 private:
  void run(std::chrono::steady_clock::time_point origin);
  void keep(const ResourceSample& sample);
  void note_error(const std::string& error);

  ResourceMonitorConfig config_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_{false};
  std::vector<ResourceSample> samples_;
  std::size_t stride_{1};  // keep every stride_-th tick
  std::size_t ticks_{0};
  ResourcePeaks peaks_;
  std::string last_error_;
};

}  // namespace cast::controller
