#include "worker/session/session_core.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace cast::worker {
namespace {

bool is_success(int status) { return status >= 200 && status < 300; }

std::string excerpt(const std::string& body) { return body.size() > 200 ? body.substr(0, 200) + "..." : body; }

TokenAnswer read_token(const SessionContext& session, HttpOutcome&& outcome) {
  TokenAnswer answer;
  const auto& from = session.auth.text;
  if (outcome.failure.failed()) {
    answer.problem = outcome.failure.kind;
    answer.message = outcome.failure.message;
  } else if (!is_success(outcome.status)) {
    answer.problem = "http_" + std::to_string(outcome.status);
    answer.message = "token from " + from + ": HTTP " + std::to_string(outcome.status) + " " + excerpt(outcome.body);
  } else {
    auto body = nlohmann::json::parse(outcome.body, nullptr, false);
    const auto& pointer = session.setup.scenario.token.token;
    if (!body.is_discarded() && body.contains(pointer) && body.at(pointer).is_string()) {
      answer.token = body.at(pointer).get<std::string>();
    } else {
      answer.problem = "bad_reply";
      answer.message = "token answer from " + from + " has no string at " + pointer.to_string();
    }
  }
  answer.http = std::move(outcome);
  return answer;
}

}  // namespace

TemplateFields user_fields(const cast::v1::UserSpec& user, std::string_view run_id, std::string_view user_index,
                           std::string_view request_id, std::string_view agent_id, std::string_view content) {
  return {user.user_id(), user.tenant_id(), user.email(), user.display_name(), user.canary(), run_id, user_index,
          request_id,     agent_id,         content};
}

std::shared_ptr<HttpCall> prepare_token(const SessionContext& session, const TemplateFields& fields,
                                        std::function<void(TokenAnswer&&)> done) {
  const auto& setup = session.setup;
  const auto& shape = setup.scenario.token.call;
  HttpCallRequest request{shape.method, shape.target.fill(fields), shape.body.fill(fields), {}, setup.timeouts.token};
  return prepare_http_call(
      session.ioc, session.auth, session.tls, setup.insecure_tls, std::move(request),
      [session, done = std::move(done)](HttpOutcome&& outcome) { done(read_token(session, std::move(outcome))); });
}

std::shared_ptr<HttpCall> fetch_token(const SessionContext& session, const TemplateFields& fields,
                                      std::function<void(TokenAnswer&&)> done) {
  auto call = prepare_token(session, fields, std::move(done));
  call->start();
  return call;
}

WsOpenOptions websocket_options(const SessionContext& session, const std::string& token,
                                std::size_t write_buffer_bytes) {
  const auto& setup = session.setup;
  return {token,
          setup.scenario.token.query_parameter,
          setup.timeouts.connect,
          setup.timeouts.connect,
          setup.read_message_max,
          write_buffer_bytes};
}

std::shared_ptr<WsConnection> open_websocket(const SessionContext& session, const std::string& token,
                                             WsListener& listener, std::size_t write_buffer_bytes) {
  auto ws = make_ws_connection(session.ioc, session.ws, session.tls, session.setup.insecure_tls, listener);
  ws->open(websocket_options(session, token, write_buffer_bytes));
  return ws;
}

namespace {

HttpCallRequest backend_request(const SessionContext& session, const HttpShape& shape, const TemplateFields& fields,
                                std::string bearer) {
  return {shape.method, shape.target.fill(fields), shape.body.fill(fields), std::move(bearer),
          session.setup.timeouts.message};
}

}  // namespace

std::shared_ptr<HttpCall> call_backend(const SessionContext& session, const HttpShape& shape,
                                       const TemplateFields& fields, std::string bearer,
                                       std::function<void(HttpOutcome&&)> done) {
  return start_http_call(session.ioc, session.backend, session.tls, session.setup.insecure_tls,
                         backend_request(session, shape, fields, std::move(bearer)), std::move(done));
}

std::shared_ptr<HttpConnection> open_backend_connection(const SessionContext& session) {
  return make_http_connection(session.ioc, session.backend, session.tls, session.setup.insecure_tls);
}

void call_backend_on(HttpConnection& connection, const SessionContext& session, const HttpShape& shape,
                     const TemplateFields& fields, std::string bearer, std::function<void(HttpOutcome&&)> done) {
  connection.call(backend_request(session, shape, fields, std::move(bearer)), std::move(done));
}

void capture(cast::v1::Event& event, std::string_view payload, std::string_view head, std::size_t cap) {
  event.set_original_size(static_cast<std::uint32_t>(payload.size()));
  event.set_truncated(payload.size() > cap);
  event.set_payload(payload.data(), std::min(payload.size(), cap));
  if (!head.empty()) {
    event.set_head(head.data(), std::min(head.size(), cap));
  }
}

void StepTimer::at(Clock::time_point when, std::function<void()> on_due) {
  timer_.expires_at(when);
  timer_.async_wait([this, on_due = std::move(on_due), generation = ++generation_](boost::system::error_code ec) {
    if (!ec && generation == generation_) {
      on_due();
    }
  });
}

std::uint64_t StepTimer::cancel() {
  timer_.cancel();
  return ++generation_;
}

void log_handler_error(std::string_view loop_name, const std::exception& error) {
  spdlog::error("{}: handler threw: {}", loop_name, error.what());
}

}  // namespace cast::worker
