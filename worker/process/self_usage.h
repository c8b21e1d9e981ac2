#pragma once

#include <chrono>
#include <cstdint>

namespace cast::worker {

// This process's CPU and memory between two readings, for heartbeats: the
// controller uses them to tell a saturated harness from a slow platform.
class SelfUsage {
 public:
  SelfUsage();
  // CPU since the previous call, % of one core (may exceed 100 with threads).
  double cpu_percent_since_last();
  static std::uint64_t rss_bytes();

 private:
  std::chrono::steady_clock::time_point last_wall_;
  std::chrono::microseconds last_cpu_{0};
};

}  // namespace cast::worker
