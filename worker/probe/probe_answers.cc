// What a probing user hears: its token, the WebSocket answers, upgrade
// answers, and the PROBE_RESULT events it makes of them.
#include <boost/asio/post.hpp>

#include "worker/probe/probe_loop.h"
#include "worker/probe/probe_user.h"

namespace cast::worker {

// Listens to one upgrade attempt with a forged token: granted (101) or
// refused with a status, heard as soon as the platform answers.
class UpgradeProbe final : public WsListener {
 public:
  using Head = std::function<void(std::string_view head, std::string_view body)>;
  using Answer = std::function<void(int status, const TransportFailure& why)>;
  UpgradeProbe(Head head, Answer answer) : head_(std::move(head)), answer_(std::move(answer)) {}

  void on_connect_stage(ConnectStage) override {}
  void on_upgrade_answer(int status, std::string_view head, std::string_view body) override {
    status_ = status;
    head_(head, body);
  }
  void on_open() override { answer_(101, {}); }
  void on_frame(std::string_view) override {}
  void on_closed(const TransportFailure& why) override { answer_(status_, why); }

 private:
  Head head_;
  Answer answer_;
  int status_{0};  // 0 until the platform answered the upgrade at all
};

// Here, where UpgradeProbe is complete.
ProbeUser::ProbeUser(ProbeLoop& loop, cast::v1::UserSpec actor)
    : loop_(loop),
      session_{loop.ioc, loop.setup, loop.endpoints.auth, loop.endpoints.backend, loop.endpoints.ws, loop.tls},
      actor_(std::move(actor)),
      index_text_(std::to_string(actor_.index())),
      timer_(loop.ioc) {}

void ProbeUser::park() {
  steps_ = {};
  next_step_ = 0;
  forged_ = {};
  upgrade_listener_.reset();
  upgrade_head_ = {};
  upgrade_body_ = {};
}

// Nothing of the user's connections may call it back once it is gone.
ProbeUser::~ProbeUser() {
  for (auto* ws : {&ws_, &upgrade_ws_}) {
    if (*ws) (*ws)->abort();
  }
  if (http_) http_->cancel();
}

namespace {

std::int64_t micros(std::chrono::steady_clock::duration span) {
  return std::chrono::duration_cast<std::chrono::microseconds>(span).count();
}

}  // namespace

void ProbeUser::on_upgrade_answer(int status, std::string_view head, std::string_view body) {
  upgrade_status_ = status;
  upgrade_head_.assign(head);
  upgrade_body_.assign(body);
}

void ProbeUser::on_open() {
  if (ws_opening_) {
    ws_opening_ = false;
    ws_ready_ = true;
    token_proven_ = true;  // the platform took it for the upgrade
    next();
  }
}

void ProbeUser::on_frame(std::string_view message) {
  if (pending_request_.empty() || pending_exchange_ == nullptr) {
    return;
  }
  // Text that is not JSON reads as no fields, so it is no one's answer.
  auto reply = read_reply_text(message, pending_exchange_->replies);
  if (reply.request_id != pending_request_) {
    return;  // not the answer this step waits for
  }
  auto answered = result(pending_kind_, cast::v1::CHANNEL_WS, "ws " + pending_exchange_->expect);
  answered.set_request_id(std::exchange(pending_request_, {}));
  answered.set_answer_type(reply.type);
  answered.set_answer_code(reply.code);
  answered.set_agent_id(reply.agent_id);
  if (reply.type == pending_exchange_->replies.error_type) {
    answered.set_error_kind("error_reply");
  }
  emit(std::move(answered), message);
  next();
}

void ProbeUser::on_closed(const TransportFailure& why) {
  ws_.reset();
  ws_ready_ = false;
  if (std::exchange(ws_closing_, false)) {
    return next();  // our own close ended, well or not: the step is over
  }
  if (!why.failed()) {
    return;
  }
  if (ws_opening_ || !pending_request_.empty()) {
    bool opening = std::exchange(ws_opening_, false);
    if (opening && kept_token_refused(upgrade_status_)) {
      return;
    }
    // The WebSocket an earlier round left open may have been closed by the
    // platform just as the read-back went out on it: the read-back is sent
    // again, once, on a fresh one, so it is never judged on that reuse.
    if (!opening && std::exchange(ws_carried_, false)) {
      pending_request_.clear();
      return retry_step({[this] { ws_open(); }});
    }
    auto lost = result(opening ? cast::v1::PROBE_WS_CONNECT : pending_kind_, cast::v1::CHANNEL_WS,
                       opening ? "ws upgrade " + loop_.endpoints.ws.text : "ws " + pending_exchange_->expect);
    lost.set_request_id(std::exchange(pending_request_, {}));
    lost.set_error_kind(why.kind);
    lost.set_error_message(actor_.user_id() + ": " + why.message);
    emit(std::move(lost), opening ? upgrade_body_ : "", opening ? upgrade_head_ : "");
    next();
  }
}

void ProbeUser::upgrade(std::size_t forgery) {
  step_started_ = Clock::now();
  upgrade_head_.clear();
  upgrade_body_.clear();
  upgrade_listener_ = std::make_unique<UpgradeProbe>(
      [this](std::string_view head, std::string_view body) { on_upgrade_answer(0, head, body); },
      [this, forgery](int status, const TransportFailure& why) { on_upgrade(forgery, status, why); });
  upgrade_ws_ = open_websocket(session_, forged_[forgery].token, *upgrade_listener_);
}

void ProbeUser::on_upgrade(std::size_t forgery, int status, const TransportFailure& why) {
  if (status == 101) {
    upgrade_ws_->abort();  // granted: that is the finding; nothing to say on it
  }
  upgrade_ws_.reset();  // nothing of the attempt may outlive its answer
  auto answered =
      result(cast::v1::PROBE_FORGED_UPGRADE, cast::v1::CHANNEL_WS, "ws upgrade " + loop_.endpoints.ws.url.target);
  answered.set_forgery(forged_[forgery].forgery);
  answered.set_forgery_full_strength(forged_[forgery].full_strength);
  answered.set_http_status(status);
  answered.set_error_kind(why.kind);
  answered.set_error_message(why.message);
  emit(std::move(answered), upgrade_body_, upgrade_head_);
  next();
}

cast::v1::Event ProbeUser::result(cast::v1::ProbeKind kind, cast::v1::Channel channel, std::string call) const {
  auto now = Clock::now();
  cast::v1::Event made;
  made.set_user_index(actor_.index());
  made.set_kind(cast::v1::PROBE_RESULT);
  made.set_phase(cast::v1::PHASE_PROBE);
  made.set_step(step_);
  made.set_offset_us(micros(now - loop_.go));
  made.set_duration_us(micros(now - step_started_));
  made.set_probe_kind(kind);
  made.set_target_user_index(target().user_index);
  made.set_channel(channel);
  made.set_call(std::move(call));
  return made;
}

void ProbeUser::emit(cast::v1::Event&& event, std::string_view payload, std::string_view head) {
  capture(event, payload, head, loop_.setup.payload_cap_bytes);
  if (event.agent_id().empty() && event.channel() == cast::v1::CHANNEL_REST && !payload.empty()) {
    event.set_agent_id(read_reply_text(payload, loop_.setup.scenario.state.replies).agent_id);
  }
  ++step_;
  loop_.emit(std::move(event));
}

}  // namespace cast::worker
