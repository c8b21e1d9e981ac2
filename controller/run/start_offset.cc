#include "controller/run/start_offset.h"

#include <fmt/format.h>

#include <algorithm>

namespace cast::controller {

StartOffset choose_start_offset(std::optional<std::chrono::milliseconds> configured, bool local_workers,
                                const std::vector<WorkerSnapshot>& workers) {
  if (configured) return {*configured, "timeouts.start_offset_ms"};
  std::int64_t worst_us = 0;
  bool all_measured = true;
  for (const auto& worker : workers) {
    if (worker.given_up) continue;
    all_measured = all_measured && worker.clock.known();
    worst_us = std::max(worst_us, worker.clock.best_round_trip_us());
  }
  // Unmeasured, a worker's round trip could be anything: the safe floor.
  auto floor = local_workers && all_measured ? kLocalStartOffsetFloor : kRemoteStartOffsetFloor;
  auto from_trips = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::microseconds{kRoundTripsOfOffset * worst_us} + std::chrono::microseconds{999});
  auto offset = std::max(floor, from_trips);
  return {offset, fmt::format("{} x the worst round trip of {:.1f} ms, at least {} ms ({} workers{})",
                              kRoundTripsOfOffset, static_cast<double>(worst_us) / 1000, floor.count(),
                              local_workers ? "local" : "remote", all_measured ? "" : ", not all measured")};
}

}  // namespace cast::controller
