#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "worker/session/worker_summary.h"

namespace cast::worker {

// What one event loop tells the rest of the worker about itself while it
// runs: its lag (how late its periodic ticker fired) and its counters. The
// loop thread writes, the heartbeat thread reads. Lag is two relaxed atomics;
// the counters are republished by the ticker a few times a second under a
// mutex nobody else holds for long, never once per event.
class LoopHealth {
 public:
  void record_lag(std::uint64_t lag_us) {
    raise(window_lag_us_, lag_us);
    raise(run_lag_us_, lag_us);
  }
  // The worst lag since the previous call (the heartbeat's window).
  std::uint64_t take_window_lag_us() { return window_lag_us_.exchange(0, std::memory_order_relaxed); }
  std::uint64_t run_lag_us() const { return run_lag_us_.load(std::memory_order_relaxed); }

  // For loops that keep no WorkerSummary of their own (the probe rounds).
  void count_harness_error() { extra_harness_errors_.fetch_add(1, std::memory_order_relaxed); }
  std::uint32_t extra_harness_errors() const { return extra_harness_errors_.load(std::memory_order_relaxed); }

  void publish(const WorkerSummary& tally) {
    std::lock_guard lock(mutex_);
    published_ = tally;
  }
  WorkerSummary published() const {
    std::lock_guard lock(mutex_);
    return published_;
  }

 private:
  static void raise(std::atomic<std::uint64_t>& worst, std::uint64_t value) {
    auto seen = worst.load(std::memory_order_relaxed);
    while (value > seen && !worst.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
  }

  std::atomic<std::uint64_t> window_lag_us_{0};
  std::atomic<std::uint64_t> run_lag_us_{0};
  std::atomic<std::uint32_t> extra_harness_errors_{0};
  mutable std::mutex mutex_;
  WorkerSummary published_;
};

// Every loop's health, created before the loops so that the heartbeat
// source can hold it from the start. Loops are numbered 0..n-1; the probe
// rounds, which run after the user loops, report through loop 0.
class HealthBoard {
 public:
  explicit HealthBoard(unsigned loops) {
    for (unsigned i = 0; i < std::max(1u, loops); ++i) {
      loops_.push_back(std::make_unique<LoopHealth>());
    }
  }
  LoopHealth& loop(unsigned i) { return *loops_[i % loops_.size()]; }

  // The worst lag of any loop since the last call.
  std::uint64_t take_window_lag_us() {
    std::uint64_t worst = 0;
    for (auto& loop : loops_) {
      worst = std::max(worst, loop->take_window_lag_us());
    }
    return worst;
  }
  std::uint64_t run_lag_us() const {
    std::uint64_t worst = 0;
    for (const auto& loop : loops_) {
      worst = std::max(worst, loop->run_lag_us());
    }
    return worst;
  }
  WorkerSummary totals() const {
    WorkerSummary total;
    for (const auto& loop : loops_) {
      total.merge(loop->published());
      total.harness_errors += loop->extra_harness_errors();
    }
    return total;
  }

 private:
  std::vector<std::unique_ptr<LoopHealth>> loops_;
};

}  // namespace cast::worker
