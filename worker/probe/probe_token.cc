// Which token a probing user presents as its own: the one it already holds
// (its session's, or an earlier round's) while the platform takes it, a
// fresh one from auth when it has none or the platform refuses the one it
// holds. A probe is judged on the platform's checks, never on a token's age.
#include "common/jwt/jwt.h"
#include "worker/probe/forged_tokens.h"
#include "worker/probe/probe_loop.h"
#include "worker/probe/probe_user.h"

namespace cast::worker {
namespace {

// A held token that expires within this many seconds is not presented: the
// user's probes would outlive it. Seconds.
constexpr std::int64_t kHeldTokenMarginS = 30;

bool lasts(const std::string& token) {
  auto expiry = token_expiry(token);
  return !expiry || *expiry - jwt::unix_now() > kHeldTokenMarginS;
}

}  // namespace

void ProbeUser::fetch_own_token() {
  if (!token_.empty()) {
    return next();  // this user's, from its attacks of an earlier round
  }
  if (auto held = loop_.tokens.find(actor_.index()); held != loop_.tokens.end() && lasts(held->second)) {
    token_ = held->second;
    token_kept_ = true;
    token_proven_ = false;
    return next();
  }
  request_token();
}

void ProbeUser::request_token() {
  step_started_ = Clock::now();
  http_ = fetch_token(session_, fields(), [this](TokenAnswer&& answer) {
    http_.reset();
    on_token(std::move(answer));
  });
}

void ProbeUser::on_token(TokenAnswer&& answer) {
  if (answer.granted()) {
    token_ = std::move(answer.token);
    token_kept_ = false;
    token_proven_ = true;
    loop_.tokens.insert_or_assign(actor_.index(), token_);
    if (!forged_.empty()) {
      forge();  // a new token in the middle of a target's probes
    }
    return next();
  }
  // Without its own token the user can run none of its probes: said once for each target.
  for (aimed_ = 0; aimed_ < targets_.size(); ++aimed_) {
    auto failed = result(cast::v1::PROBE_TOKEN, cast::v1::CHANNEL_REST, "token from " + loop_.endpoints.auth.text);
    failed.set_http_status(answer.http.status);
    failed.set_error_kind(answer.problem);
    failed.set_error_message(actor_.user_id() + ": no token for the probe phase: " + answer.message);
    emit(std::move(failed), answer.http.body, answer.http.head);
  }
  aimed_ = 0;
  next_step_ = steps_.size();
  next();
}

// A held token refused (401 on REST or the upgrade): the call is made
// again with a fresh one from auth (on a fresh connection, as it is another
// credential), so that it is judged on the platform's answer to this user,
// never on the age of the token it presented. A fresh token refused is the
// platform's answer.
bool ProbeUser::kept_token_refused(int status) {
  if (!token_kept_ || status != 401) {
    return false;
  }
  drop_token();
  retry_step({[this] { request_token(); }});
  return true;
}

// Some forgeries are made from token_ (its payload tampered, its signature
// cut): made from a held token no call has shown valid, a platform could
// refuse them for that token's expiry instead of the forgery. So they wait
// for a fresh one. Only a user whose probes start with the forgeries
// (no own-token call before them) asks auth for it.
bool ProbeUser::unproven_token() {
  if (token_proven_) {
    return false;
  }
  drop_token();
  retry_step({[this] { request_token(); }});
  return true;
}

void ProbeUser::drop_token() {
  token_.clear();
  token_kept_ = false;
  token_proven_ = false;
  loop_.tokens.erase(actor_.index());
  if (own_rest_) {
    own_rest_->cancel();
    own_rest_.reset();
  }
}

// The step in progress runs again after `before`.
void ProbeUser::retry_step(std::vector<Step> before) {
  --next_step_;
  insert_steps(std::move(before));
}

}  // namespace cast::worker
