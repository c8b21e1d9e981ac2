#include "worker/session/virtual_user.h"

#include <boost/asio/post.hpp>

#include "worker/session/cancel_chaos.h"
#include "worker/session/user_loop.h"

namespace cast::worker {
namespace {

using cast::v1::Phase;

// A chosen user drops its connection while sending its first message: all
// users reach it at about the same moment, so the others still have every
// later message to send through whatever the platform got wrong.
constexpr std::uint32_t kCancelledMessage = 0;
// Long enough for the message to leave this host, short enough that the
// platform is still working on it when the connection goes.
constexpr std::chrono::milliseconds kCancelAfter{20};

}  // namespace

std::string_view to_string(UserState state) {
  switch (state) {
    case UserState::idle: return "idle";
    case UserState::waiting: return "waiting";
    case UserState::token: return "token";
    case UserState::connecting: return "connecting";
    case UserState::starting: return "starting";
    case UserState::messaging: return "messaging";
    case UserState::reading_state: return "reading_state";
    case UserState::reading_rest: return "reading_rest";
    case UserState::holding: return "holding";
    case UserState::hold_message: return "hold_message";
    case UserState::closing: return "closing";
    case UserState::cancelling: return "cancelling";
    case UserState::done: return "done";
    case UserState::failed: return "failed";
    case UserState::cancelled: return "cancelled";
  }
  return "unknown";
}

VirtualUser::VirtualUser(UserLoop& loop, cast::v1::UserSpec spec)
    : loop_(loop),
      session_{loop.ioc, loop.setup, loop.endpoints.auth, loop.endpoints.backend, loop.endpoints.ws, loop.tls},
      spec_(std::move(spec)),
      index_text_(std::to_string(spec_.index())),
      timer_(loop.ioc),
      deadline_(loop.ioc, [this] { on_deadline(); }),
      cancels_(chosen_to_cancel(loop.setup.run_id, spec_.index(), loop.setup.cancel_rate)) {
  // Made while the worker prepares, before the go: at their scheduled
  // starts the token and connect steps only connect (the go instant is
  // every user's first step at once, see UserEngine::start).
  ws_ = make_ws_connection(loop.ioc, loop.endpoints.ws, loop.tls, loop.setup.insecure_tls, *this);
  http_ = prepare_token(session_, fields(), [this](TokenAnswer&& answer) {
    http_.reset();
    on_token(std::move(answer));
  });
}

void VirtualUser::begin(Clock::time_point scheduled) {
  state_ = UserState::waiting;
  scheduled_ = started_ = scheduled;
  run_deadline_ = loop_.go + loop_.setup.timeouts.run;
  timer_.at(scheduled, [this, scheduled] {
    if (state_ == UserState::waiting) {
      request_token(scheduled);
    }
  });
}

void VirtualUser::abort(const std::string& reason) {
  if (!finished()) {
    fail("aborted", "run aborted: " + reason);
  }
}

void VirtualUser::request_token(Clock::time_point scheduled) {
  open_step(UserState::token, Phase::PHASE_TOKEN, 0, scheduled, loop_.setup.timeouts.token);
  http_->start();
}

void VirtualUser::connect(Clock::time_point scheduled) {
  open_step(UserState::connecting, Phase::PHASE_CONNECT, 0, scheduled, loop_.setup.timeouts.connect);
  mark_ = scheduled_;
  ws_->open(websocket_options(session_, token_, loop_.write_buffer_bytes));
}

void VirtualUser::send_start(Clock::time_point scheduled) {
  open_step(UserState::starting, Phase::PHASE_START, 0, scheduled, loop_.setup.timeouts.start);
  send_request(loop_.setup.scenario.start, {});
}

void VirtualUser::send_message(Clock::time_point scheduled) {
  const auto& scenario = loop_.setup.scenario;
  open_step(UserState::messaging, Phase::PHASE_MESSAGE, message_index_, scheduled, loop_.setup.timeouts.message);
  auto content = scenario.messages[message_index_].fill(fields());
  send_request(scenario.message, content);
  if (cancels_ && message_index_ == kCancelledMessage) {
    drop_mid_request();
  }
}

// Like a client that went away: no WebSocket close, the TCP connection just
// ends while the request is in flight. Frames that arrive meanwhile are
// still observed, but the answer no longer ends the step.
void VirtualUser::drop_mid_request() {
  state_ = UserState::cancelling;
  pending_request_.clear();
  deadline_.clear();
  timer_.after(kCancelAfter, [this] {
    if (state_ == UserState::cancelling) {
      finish_cancelled();
    }
  });
}

void VirtualUser::finish_cancelled() {
  auto now = Clock::now();
  release_transport();
  auto cancelled = event(cast::v1::USER_CANCELLED, now);
  cancelled.set_duration_us(std::chrono::duration_cast<std::chrono::microseconds>(now - scheduled_).count());
  cancelled.set_error_message(spec_.user_id() + ": dropped the connection to " + loop_.endpoints.ws.text +
                              " mid-request on purpose (--cancel-rate)");
  state_ = UserState::cancelled;
  ++loop_.tally.cancelled;
  loop_.emit(std::move(cancelled));
}

void VirtualUser::send_get_state(Clock::time_point scheduled) {
  open_step(UserState::reading_state, Phase::PHASE_STATE, 0, scheduled, loop_.setup.timeouts.message);
  send_request(loop_.setup.scenario.state, {});
}

void VirtualUser::read_rest_state(Clock::time_point scheduled) {
  open_step(UserState::reading_rest, Phase::PHASE_STATE, 1, scheduled, loop_.setup.timeouts.message);
  http_ = call_backend(session_, *loop_.setup.scenario.state_rest, fields(), token_, [this](HttpOutcome&& outcome) {
    http_.reset();
    on_rest_state(std::move(outcome));
  });
}

void VirtualUser::close_connection(Clock::time_point scheduled) {
  open_step(UserState::closing, Phase::PHASE_CLOSE, 0, scheduled, loop_.setup.timeouts.message);
  ws_->close();
}

// --hold: the session is done, the connection stays open and carries one
// message every hold_interval until the hold is over, so that a platform
// that drops idle or long-lived connections shows it. Hold messages are
// timed like the session's own (PHASE_MESSAGE, steps after the scenario's).
void VirtualUser::start_hold(Clock::time_point due) {
  hold_until_ = due + loop_.setup.hold;
  phase_ = Phase::PHASE_MESSAGE;
  step_ = static_cast<std::uint32_t>(loop_.setup.scenario.messages.size());
  wait_in_hold(due);
}

// Waits, without a step deadline, for the next hold message due one
// interval after `from`, or for the end of the hold.
void VirtualUser::wait_in_hold(Clock::time_point from) {
  state_ = UserState::holding;
  deadline_.clear();
  auto next = from + loop_.setup.hold_interval;
  bool closes = next >= hold_until_;
  auto at = closes ? hold_until_ : next;
  timer_.at(at, [this, closes, at] {
    if (state_ != UserState::holding) {
      return;
    }
    closes ? close_connection(at) : send_hold_message(at);
  });
}

void VirtualUser::send_hold_message(Clock::time_point scheduled) {
  const auto& scenario = loop_.setup.scenario;
  auto step = static_cast<std::uint32_t>(scenario.messages.size()) + hold_messages_++;
  open_step(UserState::hold_message, Phase::PHASE_MESSAGE, step, scheduled, loop_.setup.timeouts.message);
  send_request(scenario.message, "still here " + std::to_string(hold_messages_));
}

// The step that follows the one just finished, due at `due`.
void VirtualUser::take_next_step(Clock::time_point due) {
  const auto& scenario = loop_.setup.scenario;
  switch (state_) {
    case UserState::token: return connect(due);
    case UserState::connecting: return send_start(due);
    case UserState::starting:
    case UserState::messaging:
      if (message_index_ < scenario.messages.size()) {
        return send_message(due);
      }
      if (!scenario.state.send.empty()) {
        return send_get_state(due);
      }
      [[fallthrough]];
    case UserState::reading_state:
      if (scenario.state_rest) {
        return read_rest_state(due);
      }
      [[fallthrough]];
    case UserState::reading_rest:
      if (loop_.setup.hold.count() > 0) {
        return start_hold(due);
      }
      return close_connection(due);
    case UserState::hold_message: return wait_in_hold(scheduled_);
    default: return;
  }
}

// Ends the current step and posts the next one, so that it starts from a
// clean stack and any loop delay shows up as its schedule lag.
void VirtualUser::advance() {
  auto now = Clock::now();
  emit_timing(cast::v1::PHASE_FINISHED, now);
  deadline_.clear();
  // No wait is pending between steps, so this cancel is cheap; its new
  // generation tells a stale posted step from the current one.
  auto generation = timer_.cancel();
  if (state_ == UserState::messaging) {
    ++message_index_;
  }
  boost::asio::post(loop_.ioc, [this, now, generation] {
    if (timer_.current(generation) && !finished()) {
      take_next_step(now);
    }
  });
}

void VirtualUser::open_step(UserState state, Phase phase, std::uint32_t step, Clock::time_point scheduled,
                            std::chrono::milliseconds timeout) {
  state_ = state;
  phase_ = phase;
  step_ = step;
  scheduled_ = scheduled;
  started_ = Clock::now();
  auto lag = std::chrono::duration_cast<std::chrono::microseconds>(started_ - scheduled_).count();
  loop_.tally.max_schedule_lag_us = std::max(loop_.tally.max_schedule_lag_us, lag);
  arm_deadline(timeout);
}

void VirtualUser::arm_deadline(std::chrono::milliseconds timeout) {
  auto step_deadline = started_ + timeout;
  deadline_is_run_ = run_deadline_ < step_deadline;
  deadline_.set(deadline_is_run_ ? run_deadline_ : step_deadline);
}

void VirtualUser::on_deadline() {
  if (finished()) {
    return;
  }
  if (deadline_is_run_) {
    auto limit = loop_.setup.timeouts.run.count();
    return fail("run_timeout",
                "the run's " + std::to_string(limit) + " ms ran out in " + std::string(to_string(state_)));
  }
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
  fail("timeout", std::string(to_string(state_)) + " got no answer within " + std::to_string(waited) + " ms");
}

void VirtualUser::fail(std::string_view kind, std::string message) {
  if (finished()) {
    return;
  }
  auto now = Clock::now();
  release_transport();
  auto failed = event(cast::v1::USER_FAILED, now);
  failed.set_duration_us(std::chrono::duration_cast<std::chrono::microseconds>(now - scheduled_).count());
  failed.set_schedule_lag_us(std::chrono::duration_cast<std::chrono::microseconds>(started_ - scheduled_).count());
  failed.set_error_kind(std::string(kind));
  failed.set_error_message(spec_.user_id() + ": " + message);
  state_ = UserState::failed;
  ++loop_.tally.failed;
  ++loop_.tally.errors_by_kind[std::string(kind)];
  ++loop_.tally.failures_by_phase[cast::v1::Phase_Name(phase_)];
  loop_.emit(std::move(failed));
}

void VirtualUser::release_transport() {
  timer_.cancel();
  deadline_.stop();
  if (ws_) {
    ws_->abort();
    ws_.reset();
  }
  if (http_) {
    http_->cancel();
    http_.reset();
  }
  hand_over_token();
}

// The token goes to the loop's list (a move, the user keeps none of it) for
// the probe phase, whose attacker then presents it instead of asking auth.
void VirtualUser::hand_over_token() {
  if (!token_.empty()) {
    loop_.granted.emplace_back(spec_.index(), std::move(token_));
    token_ = {};
  }
}

}  // namespace cast::worker
