#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace cast::controller {

struct ProcessUsage {
  std::uint64_t rss_bytes{0};         // resident memory summed over the set, bytes
  std::optional<double> cpu_percent;  // of one core since the last sample; none on the first
  std::size_t processes{0};           // processes that could be read this time
};

// Resident memory and CPU of a set of local processes from /proc, summed.
// A pid that has vanished is skipped, not an error. With include_children,
// every descendant of the given pids counts too (PostgreSQL forks a backend
// per connection); /proc is walked once per sample to find them.
//
// CPU is the growth of utime+stime per process between samples. A process
// that appeared since the last sample contributes all its ticks; one that
// exited in between loses its last interval (its ticks move to the parent's
// cutime, which is not read) — a small undercount, never a spike.
//
// Not thread-safe: one sampling thread drives it.
class ProcessSampler {
 public:
  explicit ProcessSampler(std::vector<pid_t> pids, bool include_children = false);

  ProcessUsage sample();

 private:
  std::vector<pid_t> members() const;

  std::vector<pid_t> roots_;
  bool include_children_{false};
  std::map<std::pair<int, std::uint64_t>, std::uint64_t> last_ticks_;  // (pid, start) -> cpu ticks
  std::optional<std::chrono::steady_clock::time_point> last_at_;
  std::uint64_t last_boot_ticks_{0};  // boot clock at the last sample, clock ticks
};

}  // namespace cast::controller
