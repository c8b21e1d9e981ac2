#pragma once

// Narrow header (pulls in Asio): for worker/session .cc files only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cast_control.pb.h"
#include "worker/scenario/scenario.h"
#include "worker/session/session_core.h"
#include "worker/session/step_deadline.h"
#include "worker/transport/http_call.h"
#include "worker/transport/ws_connection.h"

namespace cast::worker {

struct UserLoop;

enum class UserState {
  idle,
  waiting,  // armed for its scheduled start
  token,
  connecting,
  starting,  // start_agent sent, waiting for agent_started
  messaging,
  reading_state,  // get_state over the WebSocket
  reading_rest,   // state over REST
  holding,        // --hold: session done, connection kept open until the next hold message
  hold_message,   // --hold: a hold message is out, waiting for its answer
  closing,
  cancelling,  // chaos: the message is out, the connection is about to be dropped
  done,
  failed,
  cancelled,  // chaos: dropped its connection mid-request on purpose; not a failure
};

std::string_view to_string(UserState state);

// One user's walk through the scenario, on its loop's thread only. Every
// step is timed from the moment it was due (its scheduled time), and the
// gap between due and actual start is reported as schedule lag, so a late
// harness is never mistaken for a slow platform. A user never throws and
// never hangs: each step has a deadline and a failure ends the user with
// its phase and a countable error kind.
class VirtualUser final : public WsListener {
 public:
  using Clock = std::chrono::steady_clock;

  VirtualUser(UserLoop& loop, cast::v1::UserSpec spec);
  VirtualUser(const VirtualUser&) = delete;
  VirtualUser& operator=(const VirtualUser&) = delete;

  void begin(Clock::time_point scheduled);
  void abort(const std::string& reason);
  UserState state() const { return state_; }

  void on_connect_stage(ConnectStage finished) override;
  void on_upgrade_answer(int status, std::string_view head, std::string_view body) override;
  void on_open() override;
  void on_frame(std::string_view message) override;
  void on_closed(const TransportFailure& why) override;

 private:
  void request_token(Clock::time_point scheduled);
  void on_token(TokenAnswer&& answer);
  void connect(Clock::time_point scheduled);
  void send_start(Clock::time_point scheduled);
  void send_message(Clock::time_point scheduled);
  void send_get_state(Clock::time_point scheduled);
  void read_rest_state(Clock::time_point scheduled);
  void on_rest_state(HttpOutcome&& outcome);
  void close_connection(Clock::time_point scheduled);
  void start_hold(Clock::time_point due);
  void wait_in_hold(Clock::time_point from);
  void send_hold_message(Clock::time_point scheduled);
  void take_next_step(Clock::time_point due);
  void drop_mid_request();
  void finish_cancelled();
  void advance();

  void open_step(UserState state, cast::v1::Phase phase, std::uint32_t step, Clock::time_point scheduled,
                 std::chrono::milliseconds timeout);
  void arm_deadline(std::chrono::milliseconds timeout);
  void on_deadline();
  void fail(std::string_view kind, std::string message);
  void release_transport();
  void hand_over_token();
  bool finished() const {
    return state_ == UserState::done || state_ == UserState::failed || state_ == UserState::cancelled;
  }

  void send_request(const WsExchange& exchange, std::string_view content);
  void on_answer(const ReplyFields& reply, std::string_view message);
  const WsExchange* current_exchange() const;
  TemplateFields fields(std::string_view request_id = {}, std::string_view content = {}) const;
  std::string next_request_id();

  cast::v1::Event event(cast::v1::EventKind kind, Clock::time_point at) const;
  void emit_timing(cast::v1::EventKind kind, Clock::time_point at);
  void emit_observation(cast::v1::EventKind kind, cast::v1::Channel channel, std::string_view payload,
                        const ReplyFields& reply, std::string_view error_kind = {}, std::string_view head = {});

  UserLoop& loop_;
  SessionContext session_;
  cast::v1::UserSpec spec_;
  std::string index_text_;
  UserState state_{UserState::idle};
  StepTimer timer_;  // waits: the scheduled start, a hold, a cancellation
  StepDeadline deadline_;
  bool deadline_is_run_{false};  // the deadline set is the run's, not the step's
  std::shared_ptr<WsConnection> ws_;
  std::shared_ptr<HttpCall> http_;
  std::string token_;
  std::string agent_id_;
  std::string pending_request_;  // request id whose answer ends the current step
  std::uint32_t requests_{0};
  std::uint32_t message_index_{0};
  std::uint32_t hold_messages_{0};  // hold messages sent so far
  Clock::time_point hold_until_{};  // when the hold ends and the user closes
  bool cancels_{false};             // chosen by --cancel-rate to drop its connection mid-request

  cast::v1::Phase phase_{cast::v1::PHASE_UNSPECIFIED};
  std::uint32_t step_{0};
  Clock::time_point scheduled_{};  // when the current step was due
  Clock::time_point started_{};    // when it actually began
  Clock::time_point mark_{};       // end of the last connect stage
  Clock::time_point run_deadline_{};
};

}  // namespace cast::worker
