// What a probing user hears: its token, the WebSocket answers, upgrade
// refusals, and the PROBE_RESULT events it makes of them.
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "worker/probe/probe_loop.h"
#include "worker/probe/probe_user.h"

namespace cast::worker {

using nlohmann::json;

// Listens to one upgrade attempt with a forged token; only its outcome
// matters: granted (101) or refused with a status.
class UpgradeProbe final : public WsListener {
 public:
  using Answer = std::function<void(int status, const TransportFailure& why)>;
  explicit UpgradeProbe(Answer answer) : answer_(std::move(answer)) {}

  void on_connect_stage(ConnectStage) override {}
  void on_open() override { answer_(101, {}); }
  void on_frame(std::string_view) override {}
  void on_closed(const TransportFailure& why) override { answer_(status_of(why), why); }

 private:
  // The transport names an upgrade refusal `http_NNN`.
  static int status_of(const TransportFailure& why) {
    if (why.kind.rfind("http_", 0) != 0) {
      return 0;
    }
    return std::atoi(why.kind.c_str() + 5);
  }

  Answer answer_;
};

// Here, where UpgradeProbe is complete.
ProbeUser::ProbeUser(ProbeLoop& loop, cast::v1::UserSpec actor, ProbeTarget target)
    : loop_(loop),
      actor_(std::move(actor)),
      target_(std::move(target)),
      index_text_(std::to_string(actor_.index())),
      timer_(loop.ioc) {}

ProbeUser::~ProbeUser() = default;

namespace {

std::string text_at(const json& answer, const char* pointer) {
  json::json_pointer where{pointer};
  if (!answer.is_object() || !answer.contains(where)) {
    return {};
  }
  const auto& value = answer.at(where);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::int64_t micros(std::chrono::steady_clock::duration span) {
  return std::chrono::duration_cast<std::chrono::microseconds>(span).count();
}

}  // namespace

void ProbeUser::on_token(HttpOutcome&& outcome) {
  auto answer = json::parse(outcome.body, nullptr, false);
  const auto& pointer = loop_.setup.scenario.token.token;
  bool granted = !outcome.failure.failed() && outcome.status >= 200 && outcome.status < 300 &&
                 !answer.is_discarded() && answer.contains(pointer) && answer.at(pointer).is_string();
  if (granted) {
    token_ = answer.at(pointer).get<std::string>();
    forged_ = forge_tokens({token_, actor_.user_id(), actor_.tenant_id(), target_.user_id, target_.tenant_id,
                            loop_.setup.run_id, loop_.setup.jwt_secret});
    return next();
  }
  // Without its own token the user can run none of its probes.
  auto failed = result("token", cast::v1::CHANNEL_REST, "token from " + loop_.endpoints.auth.text);
  failed.set_http_status(outcome.status);
  failed.set_error_kind(outcome.failure.failed() ? outcome.failure.kind : "http_" + std::to_string(outcome.status));
  failed.set_error_message(actor_.user_id() + ": no token for the probe phase: " + outcome.failure.message);
  emit(std::move(failed));
  next_step_ = steps_.size();
  next();
}

void ProbeUser::on_open() {
  if (ws_opening_) {
    ws_opening_ = false;
    ws_ready_ = true;
    next();
  }
}

void ProbeUser::on_frame(std::string_view message) {
  auto answer = json::parse(message, nullptr, false);
  if (pending_request_.empty() || answer.is_discarded() || text_at(answer, "/request_id") != pending_request_) {
    return;  // not the answer this step waits for
  }
  auto type = text_at(answer, "/type");
  auto answered = result(pending_probe_, cast::v1::CHANNEL_WS, "ws " + pending_probe_.substr(3));
  answered.set_request_id(std::exchange(pending_request_, {}));
  answered.set_answer_type(type);
  answered.set_answer_code(text_at(answer, "/code"));
  answered.set_agent_id(text_at(answer, "/agent_id"));
  if (type == loop_.setup.scenario.state.replies.error_type) {
    answered.set_error_kind("error_reply");
  }
  emit(std::move(answered), message);
  next();
}

void ProbeUser::on_closed(const TransportFailure& why) {
  ws_.reset();
  ws_ready_ = false;
  if (!why.failed()) {
    return;  // our own close completed
  }
  if (ws_opening_ || !pending_request_.empty()) {
    bool opening = std::exchange(ws_opening_, false);
    auto lost = result(opening ? "ws_connect" : pending_probe_, cast::v1::CHANNEL_WS,
                       opening ? "ws upgrade " + loop_.endpoints.ws.text : "ws " + pending_probe_.substr(3));
    lost.set_request_id(std::exchange(pending_request_, {}));
    lost.set_error_kind(why.kind);
    lost.set_error_message(actor_.user_id() + ": " + why.message);
    emit(std::move(lost));
    next();
  }
}

void ProbeUser::upgrade(std::size_t forgery) {
  const auto& setup = loop_.setup;
  step_started_ = Clock::now();
  upgrade_listener_ = std::make_unique<UpgradeProbe>([this, forgery](int status, const TransportFailure& why) {
    on_upgrade(forgery, status, why);
  });
  WsOpenOptions options{forged_[forgery].token, setup.scenario.token.query_parameter, setup.timeouts.connect,
                        setup.timeouts.connect, setup.read_message_max};
  upgrade_ws_ = make_ws_connection(loop_.ioc, loop_.endpoints.ws, loop_.tls, setup.insecure_tls, *upgrade_listener_);
  upgrade_ws_->open(options);
}

void ProbeUser::on_upgrade(std::size_t forgery, int status, const TransportFailure& why) {
  if (status == 101) {
    upgrade_ws_->abort();  // granted: that is the finding; nothing to say on it
  }
  auto answered = result("ws_upgrade_forged:" + forged_[forgery].kind, cast::v1::CHANNEL_WS,
                         "ws upgrade " + loop_.endpoints.ws.url.target);
  answered.set_forgery(forged_[forgery].forgery);
  answered.set_forgery_full_strength(forged_[forgery].full_strength);
  answered.set_http_status(status);
  answered.set_error_kind(why.kind);
  answered.set_error_message(why.message);
  emit(std::move(answered));
  next();
}

cast::v1::Event ProbeUser::result(std::string_view probe, cast::v1::Channel channel, std::string call) const {
  auto now = Clock::now();
  cast::v1::Event made;
  made.set_user_index(actor_.index());
  made.set_kind(cast::v1::PROBE_RESULT);
  made.set_phase(cast::v1::PHASE_PROBE);
  made.set_step(step_);
  made.set_offset_us(micros(now - loop_.go));
  made.set_duration_us(micros(now - step_started_));
  made.set_probe(std::string(probe));
  made.set_target_user_index(target_.user_index);
  made.set_channel(channel);
  made.set_call(std::move(call));
  return made;
}

void ProbeUser::emit(cast::v1::Event&& event, std::string_view payload) {
  auto cap = loop_.setup.payload_cap_bytes;
  event.set_original_size(static_cast<std::uint32_t>(payload.size()));
  event.set_truncated(payload.size() > cap);
  event.set_payload(payload.data(), std::min(payload.size(), cap));
  if (event.agent_id().empty() && event.channel() == cast::v1::CHANNEL_REST && !payload.empty()) {
    event.set_agent_id(text_at(json::parse(payload, nullptr, false), "/agent_id"));
  }
  ++step_;
  loop_.emit(std::move(event));
}

}  // namespace cast::worker
