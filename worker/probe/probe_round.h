#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "cast_control.pb.h"
#include "worker/session/event_sink.h"
#include "worker/session/loop_health.h"
#include "worker/session/run_setup.h"

namespace cast::worker {

// The tokens auth granted the attackers of round 1, by user index: the
// read-backs of round 2 (each victim on its own worker, which ran it as an
// attacker too) present them again instead of asking auth once more.
using ProbeTokens = std::unordered_map<std::uint32_t, std::string>;

struct ProbeRoundOptions {
  std::size_t parallel_users{16};  // probing users in flight at once, count
  LoopHealth* health{nullptr};     // where the round's loop reports lag and harness errors; may be null
  // Polled every 20 ms from a thread of its own; true ends the round at once, calls in
  // flight abandoned and their sockets closed (the controller is gone). May be empty.
  std::function<bool()> stop_requested{};
  // Kept across the rounds of one worker (attacks fill it, read-backs use
  // it); may be null: every user then asks auth for its own token.
  ProbeTokens* tokens{nullptr};
};

struct ProbeRoundSummary {
  std::uint32_t probes_run{0};         // PROBE_RESULT events emitted
  std::uint32_t probes_unanswered{0};  // of those, calls that got no answer at all
};

// Runs one round of a probe plan to its end on the calling thread (one
// event loop of its own): every attack, then every read-back it lists,
// each result a PROBE_RESULT event into `sink`, offsets counted from `go`.
// Every probe is built from the run's scenario, so probes speak the
// platform's dialect; a probe the scenario has no shape for is skipped. Throws (ResolveError, UrlError,
// std::invalid_argument) naming a platform URL that cannot be used; every
// failure after that is a result, not an exception.
ProbeRoundSummary run_probe_round(const RunSetup& setup, const cast::v1::ProbePlan& plan, EventSink& sink,
                                  std::chrono::steady_clock::time_point go, ProbeRoundOptions options = {});

}  // namespace cast::worker
