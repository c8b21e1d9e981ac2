#pragma once

// Narrow header (pulls in Asio): for worker/session .cc files only.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "worker/session/event_sink.h"
#include "worker/session/loop_health.h"
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
// it once the loop runs, so nothing here is locked; `health` is how other
// threads see it.
struct UserLoop {
  UserLoop(const RunSetup& setup, const RunEndpoints& endpoints, boost::asio::ssl::context* tls, EventSink& sink,
           LoopHealth& health)
      : setup(setup), endpoints(endpoints), tls(tls), events(sink), health(health) {}

  void emit(cast::v1::Event&& event) {
    ++tally.events_emitted;
    events.add(std::move(event));
  }
  bool all_finished() const { return tally.succeeded + tally.failed + tally.cancelled >= tally.users; }

  boost::asio::io_context ioc{1};
  const RunSetup& setup;
  const RunEndpoints& endpoints;
  boost::asio::ssl::context* tls;  // null when no URL is https/wss
  EventBuffer events;
  LoopHealth& health;
  std::size_t write_buffer_bytes{4096};  // each connection's Beast write buffer (see frame_write_buffer_bytes)
  std::chrono::steady_clock::time_point go{};
  WorkerSummary tally;
  // Each user's granted token once its session no longer needs it, for the
  // probe phase: appended on this thread only, so it costs a move, no lock.
  std::vector<std::pair<std::uint32_t, std::string>> granted;
};

}  // namespace cast::worker
