// Expiry tested for real without the platform's secret: the prober asks
// auth for a token of its own with a short ttl_s, waits until it expired,
// and adds it to its forgeries, so the forged REST call and upgrade use it.
#include <nlohmann/json.hpp>

#include "common/jwt/jwt.h"
#include "worker/probe/forged_tokens.h"
#include "worker/probe/probe_loop.h"
#include "worker/probe/probe_user.h"

namespace cast::worker {
namespace {

using nlohmann::json;

constexpr int kShortTtlS = 1;
// A token that lives longer than this was not cut to the asked ttl: the
// platform ignores ttl_s, and waiting it out would stall the probe phase.
constexpr std::int64_t kLongestWaitS = 10;
// Past `exp` by this much before use, so that second-granular clocks agree it expired.
constexpr std::int64_t kExpiryMarginMs = 1'000;

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `exp` of a JWT, when it is one; else what `expires_in` says.
std::int64_t expiry_of(const std::string& token, const json& answer) {
  if (auto exp = token_expiry(token)) {
    return *exp;
  }
  auto ttl = answer.is_object() && answer.contains("expires_in") && answer["expires_in"].is_number()
                 ? answer["expires_in"].get<std::int64_t>()
                 : kShortTtlS;
  return jwt::unix_now() + ttl;
}

}  // namespace

// The scenario's token call with ttl_s added to its body.
void ProbeUser::fetch_short_token() {
  const auto& setup = loop_.setup;
  const auto& shape = setup.scenario.token.call;
  auto filled = fields();
  auto body = json::parse(shape.body.fill(filled), nullptr, false);
  step_started_ = Clock::now();
  if (!body.is_object()) {
    return short_token_refused(0, "the scenario's token body is not a JSON object, so it cannot carry ttl_s");
  }
  body["ttl_s"] = kShortTtlS;
  HttpCallRequest request{shape.method, shape.target.fill(filled), body.dump(), {}, setup.timeouts.token};
  http_ = start_http_call(loop_.ioc, loop_.endpoints.auth, loop_.tls, setup.insecure_tls, std::move(request),
                          [this](HttpOutcome&& outcome) {
                            http_.reset();
                            on_short_token(std::move(outcome));
                          });
}

void ProbeUser::on_short_token(HttpOutcome&& outcome) {
  auto answer = json::parse(outcome.body, nullptr, false);
  const auto& pointer = loop_.setup.scenario.token.token;
  bool granted = !outcome.failure.failed() && outcome.status >= 200 && outcome.status < 300 && !answer.is_discarded() &&
                 answer.contains(pointer) && answer.at(pointer).is_string();
  if (!granted) {
    return short_token_refused(
        outcome.status,
        "no token with ttl_s=" + std::to_string(kShortTtlS) + ": " +
            (outcome.failure.failed() ? outcome.failure.message : "HTTP " + std::to_string(outcome.status)));
  }
  auto token = answer.at(pointer).get<std::string>();
  auto expiry = expiry_of(token, answer);
  if (expiry - jwt::unix_now() > kLongestWaitS) {
    return short_token_refused(outcome.status, "auth granted a token valid for " +
                                                   std::to_string(expiry - jwt::unix_now()) +
                                                   " s though ttl_s=" + std::to_string(kShortTtlS) + " was asked");
  }
  short_token_ = std::move(token);
  short_expiry_ = expiry;
  next();
}

// Not a finding: the report says expiry could not be probed, and why.
void ProbeUser::short_token_refused(int status, const std::string& why) {
  auto failed =
      result(cast::v1::PROBE_TOKEN, cast::v1::CHANNEL_REST, "short-lived token from " + loop_.endpoints.auth.text);
  failed.set_forgery(cast::v1::FORGERY_EXPIRED_ISSUED);
  failed.set_http_status(status);
  failed.set_error_kind("short_ttl_unavailable");
  failed.set_error_message(actor_.user_id() + ": " + why);
  emit(std::move(failed));
  next();
}

void ProbeUser::await_expiry() {
  if (short_token_.empty()) {
    return next();
  }
  // Kept for the later targets too: aim() adds it to each one's forgeries.
  auto add_expired = [this] {
    expired_issued_ = std::exchange(short_token_, {});
    forged_.push_back(
        {"expired_issued", cast::v1::FORGERY_EXPIRED_ISSUED, expired_issued_, true, ForgeryAim::credential});
    next();
  };
  auto wait_ms = short_expiry_ * 1000 + kExpiryMarginMs - unix_now_ms();
  if (wait_ms <= 0) {
    return add_expired();
  }
  timer_.after(std::chrono::milliseconds{wait_ms}, add_expired);
}

}  // namespace cast::worker
