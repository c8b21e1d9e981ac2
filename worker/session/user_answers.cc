// What a virtual user hears: the token answer, connect progress, frames,
// REST answers and the end of its connection, and the events it makes of
// them.
#include <boost/asio/post.hpp>

#include "worker/session/user_loop.h"
#include "worker/session/virtual_user.h"

namespace cast::worker {
namespace {

std::int64_t micros(std::chrono::steady_clock::duration span) {
  return std::chrono::duration_cast<std::chrono::microseconds>(span).count();
}

bool is_success(int status) { return status >= 200 && status < 300; }

std::string excerpt(const std::string& body) { return body.size() > 200 ? body.substr(0, 200) + "..." : body; }

}  // namespace

void VirtualUser::on_token(TokenAnswer&& answer) {
  const auto& http = answer.http;
  if (!http.failure.failed() && !is_success(http.status)) {
    // A refused token request carries no secret, so it is an observation.
    emit_observation(cast::v1::REST_ANSWER, cast::v1::CHANNEL_REST, http.body, {}, answer.problem, http.head);
  } else if (!http.failure.failed()) {
    // A granted token's body is a secret; the header fields are not.
    emit_observation(cast::v1::REST_ANSWER, cast::v1::CHANNEL_REST, {}, {}, {}, http.head);
  }
  if (!answer.granted()) {
    return fail(answer.problem, answer.message);
  }
  token_ = std::move(answer.token);
  advance();
}

void VirtualUser::on_rest_state(HttpOutcome&& outcome) {
  if (outcome.failure.failed()) {
    return fail(outcome.failure.kind, outcome.failure.message);
  }
  auto reply = read_reply_text(outcome.body, loop_.setup.scenario.state.replies);
  auto status_kind = is_success(outcome.status) ? std::string{} : "http_" + std::to_string(outcome.status);
  emit_observation(cast::v1::REST_ANSWER, cast::v1::CHANNEL_REST, outcome.body, reply, status_kind, outcome.head);
  if (!status_kind.empty()) {
    return fail(status_kind, "state of " + agent_id_ + " from " + loop_.endpoints.backend.text + ": HTTP " +
                                 std::to_string(outcome.status) + " " + excerpt(outcome.body));
  }
  advance();
}

void VirtualUser::on_connect_stage(ConnectStage finished) {
  auto now = Clock::now();
  auto timing = event(cast::v1::STEP_TIMING, now);
  timing.set_step(static_cast<std::uint32_t>(finished));
  timing.set_duration_us(micros(now - mark_));
  if (finished == ConnectStage::tcp) {
    timing.set_schedule_lag_us(micros(started_ - scheduled_));
  }
  mark_ = now;
  loop_.emit(std::move(timing));
}

void VirtualUser::on_upgrade_answer(int status, std::string_view head, std::string_view body) {
  auto kind = is_success(status) || status == 101 ? std::string{} : "http_" + std::to_string(status);
  emit_observation(cast::v1::UPGRADE_ANSWERED, cast::v1::CHANNEL_WS, body, {}, kind, head);
}

void VirtualUser::on_open() {
  if (state_ == UserState::connecting) {
    if (!loop_.setup.scenario.state_rest) {
      // Nothing after the upgrade needs the token; a held connection need not keep it.
      hand_over_token();
    }
    advance();
  }
}

void VirtualUser::on_frame(std::string_view message) {
  const auto* exchange = current_exchange();
  const auto& pointers = exchange ? exchange->replies : loop_.setup.scenario.message.replies;
  auto reply = read_reply_text(message, pointers);
  emit_observation(cast::v1::FRAME_RECEIVED, cast::v1::CHANNEL_WS, message, reply);
  if (!pending_request_.empty() && reply.request_id == pending_request_) {
    on_answer(reply, message);
  }
}

void VirtualUser::on_answer(const ReplyFields& reply, std::string_view message) {
  const auto& exchange = *current_exchange();
  pending_request_.clear();
  if (reply.type == exchange.replies.error_type) {
    return fail("error_reply", std::string(to_string(state_)) + " was refused: " + excerpt(std::string(message)));
  }
  if (reply.type != exchange.expect) {
    return fail("bad_reply", "answer to " + std::string(to_string(state_)) + " has type '" + reply.type +
                                 "', expected '" + exchange.expect + "'");
  }
  if (state_ == UserState::starting) {
    if (reply.agent_id.empty()) {
      return fail("bad_reply",
                  "'" + exchange.expect + "' carries no agent id at " + exchange.replies.agent_id.to_string());
    }
    agent_id_ = reply.agent_id;
  }
  advance();
}

void VirtualUser::on_closed(const TransportFailure& why) {
  ws_.reset();
  if (finished()) {
    return;
  }
  if (state_ == UserState::closing && !why.failed()) {
    auto now = Clock::now();
    emit_timing(cast::v1::PHASE_FINISHED, now);
    release_transport();
    state_ = UserState::done;
    ++loop_.tally.succeeded;
    loop_.emit(event(cast::v1::USER_DONE, now));
    return;
  }
  if (state_ != UserState::connecting) {
    auto closed = event(cast::v1::CONNECTION_CLOSED, Clock::now());
    closed.set_error_kind(why.kind);
    closed.set_error_message(why.message);
    closed.set_channel(cast::v1::CHANNEL_WS);
    ++loop_.tally.errors_by_kind["connection_closed"];
    loop_.emit(std::move(closed));
  }
  fail(why.kind, why.message);
}

void VirtualUser::send_request(const WsExchange& exchange, std::string_view content) {
  pending_request_ = next_request_id();
  ws_->send(exchange.send.fill(fields(pending_request_, content)));
}

const WsExchange* VirtualUser::current_exchange() const {
  const auto& scenario = loop_.setup.scenario;
  switch (state_) {
    case UserState::starting: return &scenario.start;
    case UserState::messaging:
    case UserState::hold_message:
    case UserState::cancelling: return &scenario.message;
    case UserState::reading_state: return &scenario.state;
    default: return nullptr;
  }
}

TemplateFields VirtualUser::fields(std::string_view request_id, std::string_view content) const {
  return user_fields(spec_, loop_.setup.run_id, index_text_, request_id, agent_id_, content);
}

std::string VirtualUser::next_request_id() { return spec_.request_id_prefix() + std::to_string(++requests_); }

cast::v1::Event VirtualUser::event(cast::v1::EventKind kind, Clock::time_point at) const {
  cast::v1::Event made;
  made.set_user_index(spec_.index());
  made.set_kind(kind);
  made.set_phase(phase_);
  made.set_step(step_);
  made.set_offset_us(micros(at - loop_.go));
  return made;
}

void VirtualUser::emit_timing(cast::v1::EventKind kind, Clock::time_point at) {
  auto timing = event(kind, at);
  timing.set_schedule_lag_us(micros(started_ - scheduled_));
  timing.set_duration_us(micros(at - scheduled_));
  // The controller learns each user's own agent from the end of its start
  // step, never from a frame, which might have been misrouted from someone
  // else; later steps need not repeat it.
  if (phase_ == cast::v1::PHASE_START) {
    timing.set_agent_id(agent_id_);
  }
  loop_.emit(std::move(timing));
}

void VirtualUser::emit_observation(cast::v1::EventKind kind, cast::v1::Channel channel, std::string_view payload,
                                   const ReplyFields& reply, std::string_view error_kind, std::string_view head) {
  auto seen = event(kind, Clock::now());
  seen.set_channel(channel);
  capture(seen, payload, head, loop_.setup.payload_cap_bytes);
  seen.set_request_id(reply.request_id);
  seen.set_agent_id(reply.agent_id);
  seen.set_error_kind(std::string(error_kind));
  loop_.emit(std::move(seen));
}

}  // namespace cast::worker
