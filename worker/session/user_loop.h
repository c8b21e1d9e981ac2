#pragma once

// Narrow header (pulls in Asio): for worker/session .cc files only.

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "worker/session/event_sink.h"
#include "worker/session/run_setup.h"
#include "worker/session/worker_summary.h"
#include "worker/transport/service_endpoint.h"

namespace boost::asio::ssl {
class context;
}

namespace cast::worker {

struct RunEndpoints {
  ServiceEndpoint auth;
  ServiceEndpoint backend;
  ServiceEndpoint ws;
};

// What the users of one event-loop thread share. Only that thread touches
// it once the loop runs, so nothing here is locked.
struct UserLoop {
  UserLoop(const RunSetup& setup, const RunEndpoints& endpoints, boost::asio::ssl::context* tls, EventSink& sink)
      : setup(setup), endpoints(endpoints), tls(tls), sink(sink) {}

  void emit(cast::v1::Event&& event) {
    ++tally.events_emitted;
    sink.emit(std::move(event));
  }

  boost::asio::io_context ioc{1};
  const RunSetup& setup;
  const RunEndpoints& endpoints;
  boost::asio::ssl::context* tls;  // null when no URL is https/wss
  EventSink& sink;
  std::chrono::steady_clock::time_point go{};
  WorkerSummary tally;
};

}  // namespace cast::worker
