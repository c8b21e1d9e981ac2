#pragma once

// Narrow header (pulls in Asio): for worker/probe .cc files only.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "worker/probe/probe_round.h"
#include "worker/session/event_sink.h"
#include "worker/session/run_setup.h"
#include "worker/transport/service_endpoint.h"

namespace boost::asio::ssl {
class context;
}

namespace cast::worker {

struct ProbeEndpoints {
  ServiceEndpoint auth;
  ServiceEndpoint backend;
  ServiceEndpoint ws;
};

// What the probing users of one plan round share: one event loop on the
// thread that runs the round, so nothing here is locked.
struct ProbeLoop {
  ProbeLoop(const RunSetup& setup, const ProbeEndpoints& endpoints, boost::asio::ssl::context* tls, EventSink& sink,
            std::chrono::steady_clock::time_point go, ProbeTokens tokens)
      : setup(setup), endpoints(endpoints), tls(tls), events(sink, kFlushAt), go(go), tokens(std::move(tokens)) {}

  // Probe results are few and each one matters if the worker dies next:
  // they leave in small batches.
  static constexpr std::size_t kFlushAt = 32;

  void emit(cast::v1::Event&& event) {
    ++probes_run;
    if (!event.error_kind().empty() && event.http_status() == 0 && event.answer_type().empty()) {
      ++probes_unanswered;
    }
    events.add(std::move(event));
  }
  // An attacker may leave its WebSocket open for its own read-back next
  // round only where that read-back goes over the WebSocket, and only up
  // to the phase's bound (ProbePhase::kMaxKeptWebSockets).
  bool may_keep_websocket() const {
    return !setup.scenario.state_rest && !setup.scenario.state.send.empty() &&
           websockets_kept < ProbePhase::kMaxKeptWebSockets;
  }

  boost::asio::io_context ioc{1};
  const RunSetup& setup;
  const ProbeEndpoints& endpoints;
  boost::asio::ssl::context* tls;  // null when no URL is https/wss
  EventBuffer events;
  std::chrono::steady_clock::time_point go;  // event offsets count from here
  ProbeTokens tokens;                        // the users' own tokens, kept across rounds
  std::size_t websockets_kept{0};            // attackers' WebSockets left open this round
  std::uint32_t probes_run{0};
  std::uint32_t probes_unanswered{0};
};

}  // namespace cast::worker
