#pragma once

// Narrow header (pulls in Asio): for worker/probe .cc files only.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>

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
            std::chrono::steady_clock::time_point go, ProbeTokens* tokens)
      : setup(setup), endpoints(endpoints), tls(tls), events(sink, kFlushAt), go(go), tokens(tokens) {}

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

  boost::asio::io_context ioc{1};
  const RunSetup& setup;
  const ProbeEndpoints& endpoints;
  boost::asio::ssl::context* tls;  // null when no URL is https/wss
  EventBuffer events;
  std::chrono::steady_clock::time_point go;  // event offsets count from here
  ProbeTokens* tokens;                       // granted tokens kept across rounds; may be null
  std::uint32_t probes_run{0};
  std::uint32_t probes_unanswered{0};
};

}  // namespace cast::worker
