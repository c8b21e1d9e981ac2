#pragma once

// Narrow header (pulls in Asio): for worker/probe .cc files only.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>

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
            std::chrono::steady_clock::time_point go)
      : setup(setup), endpoints(endpoints), tls(tls), sink(sink), go(go) {}

  void emit(cast::v1::Event&& event) {
    ++probes_run;
    if (!event.error_kind().empty() && event.http_status() == 0 && event.answer_type().empty()) {
      ++probes_unanswered;
    }
    sink.emit(std::move(event));
  }

  boost::asio::io_context ioc{1};
  const RunSetup& setup;
  const ProbeEndpoints& endpoints;
  boost::asio::ssl::context* tls;  // null when no URL is https/wss
  EventSink& sink;
  std::chrono::steady_clock::time_point go;  // event offsets count from here
  std::uint32_t probes_run{0};
  std::uint32_t probes_unanswered{0};
};

}  // namespace cast::worker
