#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cast_control.pb.h"
#include "worker/session/event_sink.h"
#include "worker/session/granted_tokens.h"
#include "worker/session/loop_health.h"
#include "worker/session/run_setup.h"

namespace boost::asio::ssl {
class context;
}

namespace cast::worker {

struct ProbeEndpoints;

// The tokens this worker's users hold, by user index: those their measured
// sessions were granted, then those auth granted in the probe phase. An
// attacker presents its own, and a read-back its owner's, instead of asking
// auth once more; a refused one is replaced by a fresh one.
using ProbeTokens = GrantedTokens;

struct ProbeRoundOptions {
  std::size_t parallel_users{16};  // probing users in flight at once, count
  LoopHealth* health{nullptr};     // where the round's loop reports lag and harness errors; may be null
  // Polled every 20 ms from a thread of its own; true ends the round at once, calls in
  // flight abandoned and their sockets closed (the controller is gone). May be empty.
  std::function<bool()> stop_requested{};
};

struct ProbeRoundSummary {
  std::uint32_t probes_run{0};         // PROBE_RESULT events emitted
  std::uint32_t probes_unanswered{0};  // of those, calls that got no answer at all
};

// The probe phase of one worker, round after round on the calling thread
// (one event loop of its own, kept across the rounds): every attack, then
// every read-back a round lists, each result a PROBE_RESULT event into
// `sink`, offsets counted from `go`. Every probe is built from the run's
// scenario, so probes speak the platform's dialect; a probe the scenario
// has no shape for is skipped.
//
// What it keeps between rounds, and why: the tokens (above), and an
// attacker's WebSocket, still open after its attacks, for that user's own
// read-back of the next round (the plan puts it on this worker): the
// connection carried that user's identity only, so reading its own state
// over it tests the same thing a fresh one would, one connection fewer.
// At most kMaxKeptWebSockets are kept; the others close as before.
class ProbePhase {
 public:
  // Throws (ResolveError, UrlError, std::invalid_argument) naming a
  // platform URL that cannot be used; every failure after that is a result,
  // not an exception.
  ProbePhase(const RunSetup& setup, EventSink& sink, std::chrono::steady_clock::time_point go, ProbeTokens tokens = {});
  ~ProbePhase();  // closes the WebSockets still kept
  ProbePhase(const ProbePhase&) = delete;
  ProbePhase& operator=(const ProbePhase&) = delete;

  // A bound on the memory kept between rounds: an idle WebSocket with its
  // user costs a few KB, so 10,000 users (5,000 a worker) would keep tens
  // of MB; past this many an attacker closes its WebSocket as before.
  static constexpr std::size_t kMaxKeptWebSockets = 2048;

  ProbeRoundSummary run_round(const cast::v1::ProbePlan& plan, const ProbeRoundOptions& options = {});
  const ProbeTokens& tokens() const;
  std::size_t kept_websockets() const;

 private:
  struct State;
  const RunSetup& setup_;
  EventSink& sink_;
  std::chrono::steady_clock::time_point go_;
  std::unique_ptr<ProbeEndpoints> endpoints_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<State> state_;
};

// One round in a phase of its own (nothing kept before or after it).
ProbeRoundSummary run_probe_round(const RunSetup& setup, const cast::v1::ProbePlan& plan, EventSink& sink,
                                  std::chrono::steady_clock::time_point go, ProbeRoundOptions options = {});

}  // namespace cast::worker
