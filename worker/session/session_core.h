#pragma once

// Narrow header (pulls in Asio): for worker/session and worker/probe .cc
// files only. What every kind of user of a run does the same way, whether
// it walks the measured session (VirtualUser) or probes another user's
// agent afterwards (ProbeUser): its template fields, the token fetch, the
// WebSocket open, backend calls, captured payloads, its step timer and the
// loop it runs on.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cast_control.pb.h"
#include "worker/session/run_setup.h"
#include "worker/transport/http_call.h"
#include "worker/transport/service_endpoint.h"
#include "worker/transport/ws_connection.h"

namespace boost::asio::ssl {
class context;
}

namespace cast::worker {

// The loop a user runs on and the platform it talks to; views of what its
// loop holds, so it is cheap to make where it is needed.
struct SessionContext {
  boost::asio::io_context& ioc;
  const RunSetup& setup;
  const ServiceEndpoint& auth;
  const ServiceEndpoint& backend;
  const ServiceEndpoint& ws;
  boost::asio::ssl::context* tls;  // null when no URL is https/wss
};

// One user's template fields; `user_index` is the index as text, kept by
// the caller. The views must outlive the fill.
TemplateFields user_fields(const cast::v1::UserSpec& user, std::string_view run_id, std::string_view user_index,
                           std::string_view request_id = {}, std::string_view agent_id = {},
                           std::string_view content = {});

// The answer to a token request, read with the scenario's token pointer.
struct TokenAnswer {
  HttpOutcome http;     // as received; a granted token's body is a secret, never reported
  std::string token;    // empty unless granted
  std::string problem;  // kind of the failure: the transport's, http_NNN, or bad_reply; empty when granted
  std::string message;  // what went wrong, naming the auth URL
  bool granted() const { return problem.empty(); }
};

// Asks the auth service for this user's token, the scenario's way.
std::shared_ptr<HttpCall> fetch_token(const SessionContext& session, const TemplateFields& fields,
                                      std::function<void(TokenAnswer&&)> done);
// The same call made ready (request composed, socket opened) but not
// started: HttpCall::start() sends it.
std::shared_ptr<HttpCall> prepare_token(const SessionContext& session, const TemplateFields& fields,
                                        std::function<void(TokenAnswer&&)> done);

// Opens the user's WebSocket with `token` (header or query parameter, as
// the scenario says) and the run's connect timeouts; `write_buffer_bytes`
// sizes Beast's write buffer (a held connection keeps it).
std::shared_ptr<WsConnection> open_websocket(const SessionContext& session, const std::string& token,
                                             WsListener& listener, std::size_t write_buffer_bytes = 4096);
// What open_websocket gives WsConnection::open, for a connection made earlier.
WsOpenOptions websocket_options(const SessionContext& session, const std::string& token,
                                std::size_t write_buffer_bytes);

// One call of `shape` on the backend with `bearer` (none when empty).
std::shared_ptr<HttpCall> call_backend(const SessionContext& session, const HttpShape& shape,
                                       const TemplateFields& fields, std::string bearer,
                                       std::function<void(HttpOutcome&&)> done);

// A keep-alive connection to the backend, for call_backend_on.
std::shared_ptr<HttpConnection> open_backend_connection(const SessionContext& session);

// One call of `shape` with `bearer` on `connection`, which stays open for
// the next call that presents the same bearer.
void call_backend_on(HttpConnection& connection, const SessionContext& session, const HttpShape& shape,
                     const TemplateFields& fields, std::string bearer, std::function<void(HttpOutcome&&)> done);

// Puts `payload` (the body or frame) and `head` (status line and header
// fields, when there are any) into an observation, cut to the run's cap.
void capture(cast::v1::Event& event, std::string_view payload, std::string_view head, std::size_t cap);

// A user's one timer, with a guard against stale expiries: every arm or
// cancel starts a new generation, and a handler of an older one never runs
// (a deadline that fired just as its step ended is not a failure).
class StepTimer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StepTimer(boost::asio::io_context& ioc) : timer_(ioc) {}

  void at(Clock::time_point when, std::function<void()> on_due);
  void after(Clock::duration span, std::function<void()> on_due) { at(Clock::now() + span, std::move(on_due)); }
  // Ends the current generation; returns the new one for guarded posts.
  std::uint64_t cancel();
  bool current(std::uint64_t generation) const { return generation == generation_; }

 private:
  boost::asio::steady_timer timer_;
  std::uint64_t generation_{0};
};

// Runs `ioc` on the calling thread until it has no more work. A handler
// that throws is a harness error: counted through `count_harness_error`,
// logged with `loop_name`, and the loop carries on with its other users.
template <class CountError>
void run_guarded(boost::asio::io_context& ioc, CountError count_harness_error, std::string_view loop_name);

void log_handler_error(std::string_view loop_name, const std::exception& error);

template <class CountError>
void run_guarded(boost::asio::io_context& ioc, CountError count_harness_error, std::string_view loop_name) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& error) {
      count_harness_error();
      log_handler_error(loop_name, error);
    }
  }
}

}  // namespace cast::worker
