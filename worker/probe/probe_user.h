#pragma once

// Narrow header (pulls in Asio): for worker/probe .cc files only.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cast_control.pb.h"
#include "worker/probe/forged_tokens.h"
#include "worker/session/session_core.h"

namespace cast::worker {

struct ProbeLoop;
class UpgradeProbe;

// The agent a probe is aimed at.
struct ProbeTarget {
  std::uint32_t user_index{0};
  std::string user_id;
  std::string tenant_id;
  std::string agent_id;
};

// One attacker's plan against one target: the probes, in the order given.
struct ProbeAim {
  ProbeTarget target;
  std::vector<cast::v1::ProbeKind> kinds;
};

// One user in the probe phase, on its loop's thread only: presents its own
// token (the one its session was granted, else a fresh one), then walks its
// steps one after another (each target in turn, over one WebSocket while it
// stays open, as one attacker would),
// each ending in exactly one PROBE_RESULT event (the answer, or why none
// came). Every message is the run's scenario's (state read, state write,
// message, REST calls), aimed at the target's agent; a probe the scenario
// has no shape for is skipped. Like a VirtualUser it never throws and never hangs:
// every call has a deadline, and each step ends as soon as its answer is in.
class ProbeUser final : public WsListener {
 public:
  using Clock = std::chrono::steady_clock;
  using Finished = std::function<void()>;

  ProbeUser(ProbeLoop& loop, cast::v1::UserSpec actor);
  ~ProbeUser();
  ProbeUser(const ProbeUser&) = delete;
  ProbeUser& operator=(const ProbeUser&) = delete;

  // The attacker's probes on each target's agent, target after target.
  void start_attack(std::vector<ProbeAim> aims, Finished finished);
  // The owner reads its own agent's state back (over the WebSocket its
  // attacks left open, when they did).
  void start_readback(ProbeTarget own, Finished finished);
  // Closes the WebSocket its attacks left open, for no read-back came.
  void start_release(Finished finished);
  // After its attacks: whether it left its WebSocket open for its read-back
  // of the next round; park() then drops what only the attacks needed.
  bool keeps_websocket() const { return ws_kept_ && ws_ready_; }
  void park();
  std::uint32_t index() const { return actor_.index(); }
  // Before start_attack: also probe expiry with a real token from auth
  // (short ttl_s, used once expired) among the forgeries.
  void probe_expiry() { expiry_probe_ = true; }

  void on_connect_stage(ConnectStage) override {}
  void on_upgrade_answer(int status, std::string_view head, std::string_view body) override;
  void on_open() override;
  void on_frame(std::string_view message) override;
  void on_closed(const TransportFailure& why) override;

 private:
  using Step = std::function<void()>;

  void plan_kind(cast::v1::ProbeKind kind);
  void aim(std::size_t target);
  void plan_ws(cast::v1::ProbeKind kind, const WsExchange& exchange, std::string content = {});
  void next();
  void forge();
  void fetch_own_token();  // probe_token.cc, with the four below
  void request_token();
  void on_token(TokenAnswer&& answer);
  bool kept_token_refused(int status);
  bool unproven_token();
  void drop_token();
  void retry_step(std::vector<Step> before);
  void ws_open();
  void ws_request(cast::v1::ProbeKind kind, const WsExchange& exchange, const std::string& content);
  void end_websocket();
  void ws_close();
  void rest_call(cast::v1::ProbeKind kind, const HttpShape& shape, std::string bearer,
                 const ForgedToken* forged = nullptr);
  void forged_rest();
  void fetch_short_token();  // expired_token.cc
  void on_short_token(HttpOutcome&& outcome);
  void short_token_refused(int status, const std::string& why);
  void await_expiry();
  void forged_upgrades();
  void upgrade(std::size_t forgery);
  void on_upgrade(std::size_t forgery, int status, const TransportFailure& why);
  void insert_steps(std::vector<Step> steps);

  TemplateFields fields(std::string_view request_id = {}, std::string_view content = {}) const;
  std::string marker() const { return actor_.user_id(); }
  std::string next_request_id();
  cast::v1::Event result(cast::v1::ProbeKind kind, cast::v1::Channel channel, std::string call) const;
  void emit(cast::v1::Event&& event, std::string_view payload = {}, std::string_view head = {});

  ProbeLoop& loop_;
  SessionContext session_;
  cast::v1::UserSpec actor_;
  std::vector<ProbeTarget> targets_;
  std::size_t aimed_{0};  // the target the current steps are aimed at
  const ProbeTarget& target() const { return targets_[aimed_]; }
  std::string index_text_;
  StepTimer timer_;
  std::vector<Step> steps_;
  std::size_t next_step_{0};
  Finished finished_;

  std::string token_;
  bool readback_{false};
  bool token_kept_{false};           // token_ was granted before this task (its session, an earlier round)
  bool token_proven_{false};         // auth just granted token_, or the platform accepted it
  std::vector<ForgedToken> forged_;  // aimed at the current target
  std::string expired_issued_;       // the short-lived token once expired, aimed at every target
  bool expiry_probe_{false};
  bool expiry_planned_{false};
  std::string short_token_;       // granted with a short ttl_s, until it joins forged_
  std::int64_t short_expiry_{0};  // its exp, seconds since the epoch
  std::shared_ptr<HttpCall> http_;
  std::shared_ptr<HttpConnection> own_rest_;  // the REST calls that present token_, one after another
  std::shared_ptr<WsConnection> ws_;
  bool ws_planned_{false};
  bool ws_opening_{false};
  bool ws_ready_{false};
  bool ws_closing_{false};    // our close in progress; the step ends when it completes
  bool ws_kept_{false};       // left open at the end of the attacks, for the read-back
  bool ws_carried_{false};    // the open WebSocket is the one an earlier round left open
  int upgrade_status_{0};     // the last upgrade answer's status, 0 before any
  std::string upgrade_head_;  // the last upgrade answer's status line and fields
  std::string upgrade_body_;
  std::unique_ptr<UpgradeProbe> upgrade_listener_;
  std::shared_ptr<WsConnection> upgrade_ws_;

  // The WebSocket request whose answer ends the current step.
  std::string pending_request_;
  cast::v1::ProbeKind pending_kind_{cast::v1::PROBE_KIND_UNSPECIFIED};
  const WsExchange* pending_exchange_{nullptr};
  Clock::time_point step_started_{};
  std::uint32_t requests_{0};
  std::uint32_t step_{0};
};

}  // namespace cast::worker
