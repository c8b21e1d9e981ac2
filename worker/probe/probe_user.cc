// The steps of a probing user: which calls it makes, in which order, each
// built from the run's scenario. What it hears back, and the events it
// makes of that, is probe_answers.cc.
#include "worker/probe/probe_user.h"

#include <boost/asio/post.hpp>

#include "worker/probe/probe_loop.h"

namespace cast::worker {

using cast::v1::ProbeKind;

void ProbeUser::start_attack(std::vector<ProbeAim> aims, Finished finished) {
  finished_ = std::move(finished);
  steps_.push_back([this] { fetch_own_token(); });
  if (expiry_probe_) {
    steps_.push_back([this] { fetch_short_token(); });
  }
  bool any_ws = false;
  for (std::size_t t = 0; t < aims.size(); ++t) {
    targets_.push_back(std::move(aims[t].target));
    steps_.push_back([this, t] { aim(t); });
    ws_planned_ = false;  // each target's WebSocket probes first make sure one is open
    for (auto kind : aims[t].kinds) {
      plan_kind(kind);
    }
    any_ws = any_ws || ws_planned_;
  }
  if (any_ws) {
    steps_.push_back([this] { end_websocket(); });
  }
  next();
}

void ProbeUser::aim(std::size_t target) {
  aimed_ = target;
  forge();
  next();
}

// The forgeries name the target's owner and tenant, and some are made from
// token_: made anew for each target, and whenever token_ changes.
void ProbeUser::forge() {
  const auto& victim = target();
  forged_ = forge_tokens({token_, actor_.user_id(), actor_.tenant_id(), victim.user_id, victim.tenant_id,
                          loop_.setup.run_id, loop_.setup.jwt_secret});
  if (!expired_issued_.empty()) {
    forged_.push_back(
        {"expired_issued", cast::v1::FORGERY_EXPIRED_ISSUED, expired_issued_, true, ForgeryAim::credential});
  }
}

// Over REST where the scenario reads state there, else over the WebSocket:
// the one this user's attacks left open when they did (ws_carried_).
void ProbeUser::start_readback(ProbeTarget own, Finished finished) {
  finished_ = std::move(finished);
  readback_ = true;
  targets_ = {std::move(own)};
  aimed_ = 0;
  steps_.clear();
  next_step_ = 0;
  ws_planned_ = false;
  ws_kept_ = false;
  ws_carried_ = ws_ready_;
  token_kept_ = !token_.empty();  // from its attacks: it may have expired since
  const auto& scenario = loop_.setup.scenario;
  steps_.push_back([this] { fetch_own_token(); });
  if (scenario.state_rest) {
    steps_.push_back([this] { rest_call(cast::v1::PROBE_READBACK, *loop_.setup.scenario.state_rest, token_); });
  } else if (!scenario.state.send.empty()) {
    plan_ws(cast::v1::PROBE_READBACK, scenario.state);
    steps_.push_back([this] { ws_close(); });
  }
  next();
}

void ProbeUser::plan_kind(ProbeKind kind) {
  const auto& scenario = loop_.setup.scenario;
  bool forged_kind = kind == cast::v1::PROBE_FORGED_REST || kind == cast::v1::PROBE_FORGED_UPGRADE;
  if (forged_kind && expiry_probe_ && !std::exchange(expiry_planned_, true)) {
    steps_.push_back([this] { await_expiry(); });
  }
  switch (kind) {
    case cast::v1::PROBE_WS_GET_STATE: return plan_ws(kind, scenario.state);
    case cast::v1::PROBE_WS_UPDATE_STATE: return plan_ws(kind, scenario.update, marker());
    case cast::v1::PROBE_WS_MESSAGE:
      if (!scenario.messages.empty()) {
        plan_ws(kind, scenario.message, "cast probe by " + marker() + ": what do you remember?");
      }
      return;
    case cast::v1::PROBE_REST_GET_STATE:
      if (scenario.state_rest) {
        steps_.push_back([this, kind] { rest_call(kind, *loop_.setup.scenario.state_rest, token_); });
      }
      return;
    case cast::v1::PROBE_REST_PUT_STATE:
      if (scenario.update_rest) {
        steps_.push_back([this, kind] { rest_call(kind, *loop_.setup.scenario.update_rest, token_); });
      }
      return;
    case cast::v1::PROBE_FORGED_REST:
      if (scenario.state_rest) {
        steps_.push_back([this] { forged_rest(); });
      }
      return;
    case cast::v1::PROBE_FORGED_UPGRADE: return steps_.push_back([this] { forged_upgrades(); });
    default: return;  // a kind this worker does not know: nothing to run
  }
}

// A WebSocket probe, behind the one WebSocket open this user makes.
void ProbeUser::plan_ws(ProbeKind kind, const WsExchange& exchange, std::string content) {
  if (exchange.send.empty()) {
    return;
  }
  if (!ws_planned_) {
    ws_planned_ = true;
    steps_.push_back([this] { ws_open(); });
  }
  steps_.push_back([this, kind, &exchange, content = std::move(content)] { ws_request(kind, exchange, content); });
}

void ProbeUser::start_release(Finished finished) {
  finished_ = std::move(finished);
  steps_ = {[this] { ws_close(); }};
  next_step_ = 0;
  next();
}

// Posts the next step (a copy: a step may add steps behind it), or ends.
void ProbeUser::next() {
  timer_.cancel();
  if (next_step_ < steps_.size()) {
    boost::asio::post(loop_.ioc, [step = steps_[next_step_++]] { step(); });
    return;
  }
  if (own_rest_) {
    own_rest_->cancel();  // nothing in flight on it now: this closes the kept connection
    own_rest_.reset();
  }
  if (finished_) {
    boost::asio::post(loop_.ioc, std::exchange(finished_, {}));
  }
}

// Opens the WebSocket unless the one opened for an earlier target is still up.
void ProbeUser::ws_open() {
  if (ws_ready_) {
    return next();
  }
  step_started_ = Clock::now();
  upgrade_status_ = 0;
  ws_opening_ = true;
  ws_carried_ = false;
  ws_ = open_websocket(session_, token_, *this);
}

void ProbeUser::ws_request(ProbeKind kind, const WsExchange& exchange, const std::string& content) {
  step_started_ = Clock::now();
  std::string call = "ws " + exchange.expect;
  if (!ws_ready_) {
    auto skipped = result(kind, cast::v1::CHANNEL_WS, call);
    skipped.set_error_kind("not_connected");
    skipped.set_error_message(actor_.user_id() + ": no WebSocket to send the probe on");
    emit(std::move(skipped));
    return next();
  }
  pending_request_ = next_request_id();
  pending_kind_ = kind;
  pending_exchange_ = &exchange;
  ws_->send(exchange.send.fill(fields(pending_request_, content)));
  timer_.after(loop_.setup.timeouts.message, [this, kind, call] {
    auto unanswered = result(kind, cast::v1::CHANNEL_WS, call);
    unanswered.set_request_id(std::exchange(pending_request_, {}));
    unanswered.set_error_kind("timeout");
    unanswered.set_error_message(actor_.user_id() + ": no answer on " + loop_.endpoints.ws.text);
    emit(std::move(unanswered));
    next();
  });
}

// At the end of the attacks: left open for this user's read-back of the
// next round where that may be, else closed.
void ProbeUser::end_websocket() {
  if (ws_ready_ && loop_.may_keep_websocket()) {
    ws_kept_ = true;
    ++loop_.websockets_kept;
    return next();
  }
  ws_close();
}

// The step ends when the close completes (on_closed), or fails to in time:
// nothing of the connection outlives the user's last step, so the round's
// loop may stop once every user is done.
void ProbeUser::ws_close() {
  ws_ready_ = false;
  if (!ws_) {
    return next();
  }
  ws_closing_ = true;
  ws_->close();
  timer_.after(loop_.setup.timeouts.message, [this] {
    ws_closing_ = false;
    if (auto ws = std::exchange(ws_, {})) ws->abort();
    next();
  });
}

void ProbeUser::rest_call(ProbeKind kind, const HttpShape& shape, std::string bearer, const ForgedToken* forged) {
  auto mark = marker();  // outlives `filled`, which only views it
  auto filled = fields({}, mark);
  std::string call = shape.method + " " + shape.target.fill(filled);
  auto forgery = forged ? forged->forgery : cast::v1::FORGERY_UNSPECIFIED;
  bool full_strength = forged != nullptr && forged->full_strength;
  step_started_ = Clock::now();
  bool own = forged == nullptr;
  auto done = [this, kind, forgery, full_strength, call, own](HttpOutcome&& outcome) {
    http_.reset();
    if (own && kept_token_refused(outcome.status)) {
      return;
    }
    token_proven_ = token_proven_ || (own && !outcome.failure.failed() && outcome.status != 401);
    auto answered = result(kind, cast::v1::CHANNEL_REST, call);
    answered.set_forgery(forgery);
    answered.set_forgery_full_strength(full_strength);
    answered.set_http_status(outcome.status);
    if (outcome.failure.failed()) {
      answered.set_error_kind(outcome.failure.kind);
      answered.set_error_message(outcome.failure.message);
    } else if (outcome.status < 200 || outcome.status >= 300) {
      answered.set_error_kind("http_" + std::to_string(outcome.status));
    }
    emit(std::move(answered), outcome.body, outcome.head);
    next();
  };
  if (forged != nullptr) {
    http_ = call_backend(session_, shape, filled, std::move(bearer), std::move(done));
    return;
  }
  // The calls that present this user's own token share one keep-alive
  // connection; each forged token rides a fresh connection of its own. A
  // platform that remembers per connection whom it authenticated must not
  // make a forgery pass or fail because of the connection it came on.
  if (!own_rest_) {
    own_rest_ = open_backend_connection(session_);
  }
  http_ = own_rest_;
  call_backend_on(*own_rest_, session_, shape, filled, std::move(bearer), std::move(done));
}

// One read of the victim's state per forgery, queued right behind this step.
void ProbeUser::forged_rest() {
  if (unproven_token()) {
    return;
  }
  std::vector<Step> calls;
  for (std::size_t i = 0; i < forged_.size(); ++i) {
    calls.push_back([this, i] {
      const auto& forged = forged_[i];
      rest_call(cast::v1::PROBE_FORGED_REST, *loop_.setup.scenario.state_rest, forged.token, &forged);
    });
  }
  insert_steps(std::move(calls));
}

void ProbeUser::forged_upgrades() {
  if (unproven_token()) {
    return;
  }
  std::vector<Step> attempts;
  // An identity forgery is a valid token of someone else: its upgrade is rightly granted.
  for (std::size_t i = 0; i < forged_.size(); ++i) {
    if (forged_[i].aim == ForgeryAim::credential) {
      attempts.push_back([this, i] { upgrade(i); });
    }
  }
  insert_steps(std::move(attempts));
}

void ProbeUser::insert_steps(std::vector<Step> steps) {
  steps_.insert(steps_.begin() + static_cast<std::ptrdiff_t>(next_step_), steps.begin(), steps.end());
  next();
}

TemplateFields ProbeUser::fields(std::string_view request_id, std::string_view content) const {
  return user_fields(actor_, loop_.setup.run_id, index_text_, request_id, target().agent_id, content);
}

std::string ProbeUser::next_request_id() { return actor_.request_id_prefix() + "p" + std::to_string(++requests_); }

}  // namespace cast::worker
