#include "controller/monitor/resource_monitor.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <memory>
#include <optional>

#include "controller/monitor/host_cpu_sampler.h"
#include "controller/monitor/metrics_scraper.h"
#include "controller/monitor/process_sampler.h"

namespace cast::controller {
namespace {

constexpr double kBytesPerMb = 1024.0 * 1024.0;

struct PlatformReading {
  std::optional<double> rss_mb;
  std::optional<double> cpu_percent;  // of one core
  std::string error;                  // why nothing could be read
};

// Where the platform's figures come from: /proc for local pids, else its /metrics.
class PlatformSource {
 public:
  explicit PlatformSource(const ResourceMonitorConfig& config) {
    if (!config.platform_pids.empty()) {
      processes_ = std::make_unique<ProcessSampler>(config.platform_pids, config.include_children);
    } else if (!config.backend_url.empty()) {
      scraper_ = std::make_unique<MetricsScraper>(config.backend_url, config.scrape_timeout, config.verify_peer);
    }
  }

  PlatformReading read() {
    PlatformReading reading;
    if (processes_) {
      auto usage = processes_->sample();
      if (usage.processes == 0) {
        reading.error = "none of the platform's processes can be read from /proc any more";
        return reading;
      }
      reading.rss_mb = static_cast<double>(usage.rss_bytes) / kBytesPerMb;
      reading.cpu_percent = usage.cpu_percent;
    } else if (scraper_) {
      auto usage = scraper_->sample();
      if (!usage) {
        reading.error = scraper_->last_error();
        return reading;
      }
      if (usage->rss_bytes) {
        reading.rss_mb = static_cast<double>(*usage->rss_bytes) / kBytesPerMb;
      }
      reading.cpu_percent = usage->cpu_percent;
    }
    return reading;
  }

 private:
  std::unique_ptr<ProcessSampler> processes_;
  std::unique_ptr<MetricsScraper> scraper_;
};

}  // namespace

ResourceMonitor::ResourceMonitor(ResourceMonitorConfig config) : config_(std::move(config)) {
  config_.max_samples = std::max<std::size_t>(config_.max_samples, 2);
  config_.interval = std::max(config_.interval, std::chrono::milliseconds{10});
}

ResourceMonitor::~ResourceMonitor() { stop(); }

void ResourceMonitor::start(std::chrono::steady_clock::time_point origin) {
  if (thread_.joinable()) {
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this, origin] { run(origin); });
}

void ResourceMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

// Ticks every interval from the origin (the go, when it lies ahead: the
// first sample then covers the preparation before it), plus one when
// stopped, so that even a load shorter than an interval is measured at its
// start and its end. That last window is at least half an interval: CPU
// shares read from /proc move in 10 ms steps, and a few milliseconds would
// make a peak out of one step.
void ResourceMonitor::run(std::chrono::steady_clock::time_point origin) {
  using Clock = std::chrono::steady_clock;
  try {
    HostCpuSampler host;
    PlatformSource platform(config_);
    // CPU shares need a previous reading: the first one only primes.
    host.sample();
    platform.read();
    auto primed = Clock::now();
    auto next = origin - primed > config_.interval / 2 ? origin : primed + config_.interval;
    auto last = primed;
    std::unique_lock lock(mutex_);
    bool stopping = false;
    while (!stopping) {
      stopping = wake_.wait_until(lock, next, [this] { return stopping_; });
      lock.unlock();
      if (stopping) std::this_thread::sleep_until(last + config_.interval / 2);
      auto now = Clock::now();
      ResourceSample sample;
      sample.t_s = std::chrono::duration<double>(now - origin).count();
      sample.host_cpu_percent = host.sample().value_or(0);
      auto reading = platform.read();
      sample.platform_rss_mb = reading.rss_mb.value_or(0);
      sample.platform_cpu_percent = reading.cpu_percent.value_or(0);
      lock.lock();
      keep(sample);
      if (!reading.error.empty()) {
        note_error(reading.error);
      }
      last = now;
      // A slow scrape must not cause a burst of catch-up samples.
      next = std::max(next + config_.interval, now);
    }
  } catch (const std::exception& error) {
    // Exceptions never leave the sampling thread: the run goes on without samples.
    std::lock_guard lock(mutex_);
    note_error(std::string("resource monitor stopped: ") + error.what());
  }
}

// Called with mutex_ held.
void ResourceMonitor::keep(const ResourceSample& sample) {
  peaks_.host_cpu_percent = std::max(peaks_.host_cpu_percent, sample.host_cpu_percent);
  peaks_.platform_rss_mb = std::max(peaks_.platform_rss_mb, sample.platform_rss_mb);
  peaks_.platform_cpu_percent = std::max(peaks_.platform_cpu_percent, sample.platform_cpu_percent);
  if (ticks_++ % stride_ != 0) {
    return;
  }
  samples_.push_back(sample);
  if (samples_.size() >= config_.max_samples) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < samples_.size(); i += 2) {
      samples_[kept++] = samples_[i];
    }
    samples_.resize(kept);
    stride_ *= 2;
  }
}

// Called with mutex_ held. Logs only a change, not every failing tick.
void ResourceMonitor::note_error(const std::string& error) {
  if (error != last_error_) {
    spdlog::warn("resource monitor: {}", error);
  }
  last_error_ = error;
}

std::vector<ResourceSample> ResourceMonitor::samples() const {
  std::lock_guard lock(mutex_);
  return samples_;
}

ResourcePeaks ResourceMonitor::peaks() const {
  std::lock_guard lock(mutex_);
  return peaks_;
}

std::size_t ResourceMonitor::ticks() const {
  std::lock_guard lock(mutex_);
  return ticks_;
}

std::string ResourceMonitor::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace cast::controller
