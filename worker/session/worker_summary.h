#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace cast::worker {

// Counters of one event loop, touched only by its own thread; merged into
// the worker's total after the loops have stopped.
struct WorkerSummary {
  std::uint32_t users{0};
  std::uint32_t succeeded{0};
  std::uint32_t failed{0};
  std::uint32_t cancelled{0};  // dropped their connection mid-request on purpose (--cancel-rate)
  std::uint64_t events_emitted{0};
  std::int64_t max_schedule_lag_us{0};                  // worst start lag of any step, microseconds
  std::map<std::string, std::uint64_t> errors_by_kind;  // failures and unexpected closes
  std::map<std::string, std::uint32_t> failures_by_phase;
  std::uint32_t harness_errors{0};  // exceptions caught at a loop's boundary

  void merge(const WorkerSummary& other);
};

}  // namespace cast::worker
