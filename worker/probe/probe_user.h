#pragma once

// Narrow header (pulls in Asio): for worker/probe .cc files only.

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cast_control.pb.h"
#include "worker/probe/forged_tokens.h"
#include "worker/transport/http_call.h"
#include "worker/transport/ws_connection.h"

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

// One user in the probe phase, on its loop's thread only: takes a fresh
// token of its own, then walks its steps one after another, each ending
// in exactly one PROBE_RESULT event (the answer, or why none came). Like a
// VirtualUser it never throws and never hangs: every call has a deadline.
class ProbeUser final : public WsListener {
 public:
  using Clock = std::chrono::steady_clock;
  using Finished = std::function<void()>;

  ProbeUser(ProbeLoop& loop, cast::v1::UserSpec actor, ProbeTarget target);
  ~ProbeUser();
  ProbeUser(const ProbeUser&) = delete;
  ProbeUser& operator=(const ProbeUser&) = delete;

  // The attacker's probes on the target's agent, in the order given.
  void start_attack(const std::vector<cast::v1::ProbeKind>& kinds, Finished finished);
  // The owner reads its own agent's state back.
  void start_readback(Finished finished);
  // Before start_attack: also probe expiry with a real token from auth
  // (short ttl_s, used once expired) among the forgeries.
  void probe_expiry() { expiry_probe_ = true; }

  void on_connect_stage(ConnectStage) override {}
  void on_open() override;
  void on_frame(std::string_view message) override;
  void on_closed(const TransportFailure& why) override;

 private:
  void plan_kind(cast::v1::ProbeKind kind);
  void next();
  void fetch_token();
  void on_token(HttpOutcome&& outcome);
  void ws_open();
  void ws_request(std::string probe, std::string type);
  void ws_close();
  void rest_call(std::string probe, std::string method, std::string bearer, bool with_patch,
                 const ForgedToken* forged = nullptr);
  void forged_rest();
  void fetch_short_token();  // expired_token.cc
  void on_short_token(HttpOutcome&& outcome);
  void short_token_refused(int status, const std::string& why);
  void await_expiry();
  void forged_upgrades();
  void upgrade(std::size_t forgery);
  void on_upgrade(std::size_t forgery, int status, const TransportFailure& why);

  std::string state_path() const;
  std::string marker_patch() const;
  std::string next_request_id();
  cast::v1::Event result(std::string_view probe, cast::v1::Channel channel, std::string call) const;
  void emit(cast::v1::Event&& event, std::string_view payload = {});
  void arm(std::chrono::milliseconds timeout, std::function<void()> on_timeout);

  ProbeLoop& loop_;
  cast::v1::UserSpec actor_;
  ProbeTarget target_;
  std::string index_text_;
  boost::asio::steady_timer timer_;
  std::vector<std::function<void()>> steps_;
  std::size_t next_step_{0};
  Finished finished_;

  std::string token_;
  std::vector<ForgedToken> forged_;
  bool expiry_probe_{false};
  bool expiry_planned_{false};
  std::string short_token_;       // granted with a short ttl_s, until it joins forged_
  std::int64_t short_expiry_{0};  // its exp, seconds since the epoch
  std::shared_ptr<HttpCall> http_;
  std::shared_ptr<WsConnection> ws_;
  bool ws_opening_{false};
  bool ws_ready_{false};
  std::unique_ptr<UpgradeProbe> upgrade_listener_;
  std::shared_ptr<WsConnection> upgrade_ws_;

  // The WebSocket request whose answer ends the current step.
  std::string pending_request_;
  std::string pending_probe_;
  Clock::time_point step_started_{};
  std::uint32_t requests_{0};
  std::uint32_t step_{0};
  std::uint64_t serial_{0};  // tells a stale deadline from the current one
};

}  // namespace cast::worker
