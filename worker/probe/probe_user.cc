// The steps of a probing user: which calls it makes, in which order.
// What it hears back, and the events it makes of that, is probe_answers.cc.
#include "worker/probe/probe_user.h"

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "common/net/url.h"
#include "worker/probe/probe_loop.h"

namespace cast::worker {

using nlohmann::json;

void ProbeUser::start_attack(const std::vector<cast::v1::ProbeKind>& kinds, Finished finished) {
  finished_ = std::move(finished);
  steps_.push_back([this] { fetch_token(); });
  if (expiry_probe_) {
    steps_.push_back([this] { fetch_short_token(); });
  }
  for (auto kind : kinds) {
    plan_kind(kind);
  }
  if (ws_opening_) {
    steps_.push_back([this] { ws_close(); });
  }
  ws_opening_ = false;
  next();
}

void ProbeUser::start_readback(Finished finished) {
  finished_ = std::move(finished);
  steps_.push_back([this] { fetch_token(); });
  steps_.push_back([this] { rest_call("victim_readback", "GET", token_, false); });
  next();
}

// `ws_opening_` doubles, while planning, as "a WebSocket step is planned".
void ProbeUser::plan_kind(cast::v1::ProbeKind kind) {
  bool ws_kind = kind == cast::v1::PROBE_WS_GET_STATE || kind == cast::v1::PROBE_WS_UPDATE_STATE;
  if (ws_kind && !ws_opening_) {
    ws_opening_ = true;
    steps_.push_back([this] { ws_open(); });
  }
  bool forged_kind = kind == cast::v1::PROBE_FORGED_REST || kind == cast::v1::PROBE_FORGED_UPGRADE;
  if (forged_kind && expiry_probe_ && !std::exchange(expiry_planned_, true)) {
    steps_.push_back([this] { await_expiry(); });
  }
  switch (kind) {
    case cast::v1::PROBE_WS_GET_STATE:
      return steps_.push_back([this] { ws_request("ws_get_state", "get_state"); });
    case cast::v1::PROBE_WS_UPDATE_STATE:
      return steps_.push_back([this] { ws_request("ws_update_state", "update_state"); });
    case cast::v1::PROBE_REST_GET_STATE:
      return steps_.push_back([this] { rest_call("rest_get_state", "GET", token_, false); });
    case cast::v1::PROBE_REST_PUT_STATE:
      return steps_.push_back([this] { rest_call("rest_put_state", "PUT", token_, true); });
    case cast::v1::PROBE_FORGED_REST:
      return steps_.push_back([this] { forged_rest(); });
    case cast::v1::PROBE_FORGED_UPGRADE:
      return steps_.push_back([this] { forged_upgrades(); });
    default:
      return;  // a kind this worker does not know: nothing to run
  }
}

// Posts the next step (a copy: a step may add steps behind it), or ends.
void ProbeUser::next() {
  ++serial_;
  timer_.cancel();
  if (next_step_ < steps_.size()) {
    boost::asio::post(loop_.ioc, [step = steps_[next_step_++]] { step(); });
    return;
  }
  if (finished_) {
    boost::asio::post(loop_.ioc, std::exchange(finished_, {}));
  }
}

void ProbeUser::fetch_token() {
  const auto& setup = loop_.setup;
  const auto& shape = setup.scenario.token.call;
  TemplateFields fields{actor_.user_id(), actor_.tenant_id(), actor_.email(), actor_.display_name(), actor_.canary(),
                        setup.run_id,     index_text_,         {},            {},                    {}};
  HttpCallRequest request{shape.method, shape.target.fill(fields), shape.body.fill(fields), {}, setup.timeouts.token};
  step_started_ = Clock::now();
  http_ = start_http_call(loop_.ioc, loop_.endpoints.auth, loop_.tls, setup.insecure_tls, std::move(request),
                          [this](HttpOutcome&& outcome) {
                            http_.reset();
                            on_token(std::move(outcome));
                          });
}

void ProbeUser::ws_open() {
  const auto& setup = loop_.setup;
  step_started_ = Clock::now();
  ws_opening_ = true;
  WsOpenOptions options{token_, setup.scenario.token.query_parameter, setup.timeouts.connect, setup.timeouts.connect,
                        setup.read_message_max};
  ws_ = make_ws_connection(loop_.ioc, loop_.endpoints.ws, loop_.tls, setup.insecure_tls, *this);
  ws_->open(options);
}

void ProbeUser::ws_request(std::string probe, std::string type) {
  step_started_ = Clock::now();
  if (!ws_ready_) {
    auto skipped = result(probe, cast::v1::CHANNEL_WS, "ws " + type);
    skipped.set_error_kind("not_connected");
    skipped.set_error_message(actor_.user_id() + ": no WebSocket to send " + type + " on");
    emit(std::move(skipped));
    return next();
  }
  pending_request_ = next_request_id();
  pending_probe_ = std::move(probe);
  json message{{"type", type}, {"request_id", pending_request_}, {"agent_id", target_.agent_id}};
  if (type == "update_state") {
    message["patch"] = json::parse(marker_patch())["patch"];
  }
  ws_->send(message.dump());
  arm(loop_.setup.timeouts.message, [this, type] {
    auto unanswered = result(pending_probe_, cast::v1::CHANNEL_WS, "ws " + type);
    unanswered.set_request_id(std::exchange(pending_request_, {}));
    unanswered.set_error_kind("timeout");
    unanswered.set_error_message(actor_.user_id() + ": no answer to " + type + " on " + loop_.endpoints.ws.text);
    emit(std::move(unanswered));
    next();
  });
}

void ProbeUser::ws_close() {
  ws_ready_ = false;
  if (ws_) {
    ws_->close();  // on_closed reports the end; nothing waits for it
  }
  next();
}

void ProbeUser::rest_call(std::string probe, std::string method, std::string bearer, bool with_patch,
                          const ForgedToken* forged) {
  const auto& setup = loop_.setup;
  std::string call = method + " " + state_path();
  HttpCallRequest request{method, state_path(), with_patch ? marker_patch() : "", std::move(bearer),
                          setup.timeouts.message};
  step_started_ = Clock::now();
  http_ = start_http_call(loop_.ioc, loop_.endpoints.backend, loop_.tls, setup.insecure_tls, std::move(request),
                          [this, probe = std::move(probe), call = std::move(call),
                           forgery = forged ? forged->forgery : cast::v1::FORGERY_UNSPECIFIED,
                           full = forged == nullptr || forged->full_strength](HttpOutcome&& outcome) {
                            http_.reset();
                            auto answered = result(probe, cast::v1::CHANNEL_REST, call);
                            answered.set_forgery(forgery);
                            answered.set_forgery_full_strength(forgery != cast::v1::FORGERY_UNSPECIFIED && full);
                            answered.set_http_status(outcome.status);
                            if (outcome.failure.failed()) {
                              answered.set_error_kind(outcome.failure.kind);
                              answered.set_error_message(outcome.failure.message);
                            } else if (outcome.status < 200 || outcome.status >= 300) {
                              answered.set_error_kind("http_" + std::to_string(outcome.status));
                            }
                            emit(std::move(answered), outcome.body);
                            next();
                          });
}

// One GET of the victim's state per forgery, queued right behind this step.
void ProbeUser::forged_rest() {
  std::vector<std::function<void()>> calls;
  for (std::size_t i = 0; i < forged_.size(); ++i) {
    calls.push_back([this, i] {
      const auto& forged = forged_[i];
      rest_call("rest_forged:" + forged.kind, "GET", forged.token, false, &forged);
    });
  }
  steps_.insert(steps_.begin() + static_cast<std::ptrdiff_t>(next_step_), calls.begin(), calls.end());
  next();
}

void ProbeUser::forged_upgrades() {
  std::vector<std::function<void()>> attempts;
  // An identity forgery is a valid token of someone else: its upgrade is rightly granted.
  for (std::size_t i = 0; i < forged_.size(); ++i) {
    if (forged_[i].aim == ForgeryAim::credential) {
      attempts.push_back([this, i] { upgrade(i); });
    }
  }
  steps_.insert(steps_.begin() + static_cast<std::ptrdiff_t>(next_step_), attempts.begin(), attempts.end());
  next();
}

std::string ProbeUser::state_path() const { return "/api/agents/" + url_encode(target_.agent_id) + "/state"; }

std::string ProbeUser::marker_patch() const {
  return json{{"patch", {{"cast_probe", actor_.user_id()}}}}.dump();
}

std::string ProbeUser::next_request_id() {
  return actor_.request_id_prefix() + "p" + std::to_string(++requests_);
}

void ProbeUser::arm(std::chrono::milliseconds timeout, std::function<void()> on_timeout) {
  timer_.expires_after(timeout);
  timer_.async_wait([this, on_timeout = std::move(on_timeout), serial = ++serial_](boost::system::error_code ec) {
    if (!ec && serial == serial_) {
      on_timeout();
    }
  });
}

}  // namespace cast::worker
