#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "controller/coordination/coordinator.h"

namespace cast::controller {

// How far ahead of the Go its common start instant lies: long enough for the
// Go to reach every worker (and be read) before the instant. A Go that still
// arrives late starts its users at once; their lag behind the instant is
// measured and judged (thresholds.max_schedule_lag_ms), never hidden.
struct StartOffset {
  std::chrono::milliseconds offset;
  std::string basis;  // why this value, for the log: "configured", "8 x 0.3 ms round trip, floor 200 ms"
};

// Floors: workers this controller spawned on its own host, and workers that
// dialled in from elsewhere (or any worker whose round trip is not measured).
inline constexpr std::chrono::milliseconds kLocalStartOffsetFloor{200};
inline constexpr std::chrono::milliseconds kRemoteStartOffsetFloor{1'000};
// The worst measured round trip, this many times over: the Go needs half of
// one to arrive; the rest covers a busier moment than the measured best.
inline constexpr int kRoundTripsOfOffset = 8;

// `configured` (timeouts.start_offset_ms) wins; otherwise max(floor,
// kRoundTripsOfOffset x the worst of the workers' best round trips).
StartOffset choose_start_offset(std::optional<std::chrono::milliseconds> configured, bool local_workers,
                                const std::vector<WorkerSnapshot>& workers);

}  // namespace cast::controller
