#include "worker/probe/forged_tokens.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/jwt/jwt.h"

namespace cast::worker {
namespace {

using nlohmann::json;
namespace v1 = cast::v1;

constexpr std::int64_t kHour = 3600;

jwt::Claims fresh_claims(std::string sub, std::string tid, std::string rid) {
  jwt::Claims claims;
  claims.sub = std::move(sub);
  claims.tid = std::move(tid);
  claims.jti = hex_encode(random_bytes(8));
  claims.rid = std::move(rid);
  claims.iat = jwt::unix_now();
  claims.exp = claims.iat + kHour;
  return claims;
}

std::string header(std::string_view alg, std::string_view kid = {}) {
  json made{{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) {
    made["kid"] = kid;
  }
  return made.dump();
}

// Where a JWT's payload starts and ends (its two dots); npos when it is none.
std::pair<std::size_t, std::size_t> payload_span(const std::string& token) {
  auto first = token.find('.');
  auto second = token.find('.', first == std::string::npos ? 0 : first + 1);
  return {first, second};
}

// A JWT's claims as an object; an empty one when there are none to read.
json payload_claims(const std::string& token, std::size_t first, std::size_t second) {
  auto payload = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  auto claims = json::parse(payload.value_or("{}"), nullptr, false);
  return claims.is_object() ? claims : json::object();
}

// The attacker's own token with only `sub` changed, keeping its signature.
std::string tampered(const ForgeryTarget& target) {
  const auto& token = target.attacker_token;
  auto [first, second] = payload_span(token);
  if (first == std::string::npos || second == std::string::npos) {
    return token + "x";
  }
  auto claims = payload_claims(token, first, second);
  claims["sub"] = target.victim_user_id;
  return token.substr(0, first + 1) + base64url_encode(claims.dump()) + token.substr(second);
}

std::string truncated(const std::string& token) {
  auto last = token.rfind('.');
  if (last == std::string::npos) {
    return token.substr(0, token.size() / 2);
  }
  auto signature_length = token.size() - last - 1;
  return token.substr(0, last + 1 + signature_length / 2);
}

// Forgeries that need no key: their flaw is their shape or their signature.
void add_keyless(const ForgeryTarget& target, const std::string& payload, std::vector<ForgedToken>& out) {
  out.push_back({"missing", v1::FORGERY_MISSING, ""});
  out.push_back({"alg_none", v1::FORGERY_ALG_NONE, jwt::encode_unsigned_jwt(header("none"), payload)});
  out.push_back({"alg_None", v1::FORGERY_ALG_NONE_CAPITALIZED, jwt::encode_unsigned_jwt(header("None"), payload)});
  out.push_back({"alg_NONE", v1::FORGERY_ALG_NONE_UPPER, jwt::encode_unsigned_jwt(header("NONE"), payload)});
  out.push_back({"tampered_payload", v1::FORGERY_TAMPERED_PAYLOAD, tampered(target)});
  out.push_back({"truncated_signature", v1::FORGERY_TRUNCATED_SIGNATURE, truncated(target.attacker_token)});
  out.push_back({"wrong_key", v1::FORGERY_WRONG_KEY, jwt::encode_jwt(header("HS256"), payload, random_bytes(32))});
}

// Each is the victim's token but for one claim (or the kid header).
void add_claim_level(const jwt::Claims& victim, const std::string& key, bool full, std::vector<ForgedToken>& out) {
  auto expired = victim;
  expired.iat -= 2 * kHour;
  expired.exp = victim.iat - kHour;
  auto early = victim;
  early.nbf = victim.iat + kHour;
  auto foreign_audience = victim;
  foreign_audience.aud = "not-" + std::string(jwt::kAudience);
  auto no_audience = victim;
  no_audience.aud.clear();
  out.push_back({"expired", v1::FORGERY_EXPIRED, jwt::sign_jwt(expired, key), full});
  out.push_back({"not_yet_valid", v1::FORGERY_NOT_YET_VALID, jwt::sign_jwt(early, key), full});
  out.push_back({"wrong_audience", v1::FORGERY_WRONG_AUDIENCE, jwt::sign_jwt(foreign_audience, key), full});
  out.push_back({"missing_audience", v1::FORGERY_MISSING_AUDIENCE, jwt::sign_jwt(no_audience, key), full});
  out.push_back({"unknown_kid", v1::FORGERY_UNKNOWN_KID,
                 jwt::encode_jwt(header("HS256", "cast-unknown-kid"), jwt::claims_json(victim), key), full});
}

// Signed right with valid claims, naming someone who does not own the agent.
void add_identity(const ForgeryTarget& target, std::vector<ForgedToken>& out) {
  const auto& key = target.secret;
  auto tenants_differ = !target.victim_tenant_id.empty() && target.victim_tenant_id != target.attacker_tenant_id;
  if (tenants_differ) {
    auto victim_elsewhere = fresh_claims(target.victim_user_id, target.attacker_tenant_id, target.run_id);
    auto attacker_as_tenant = fresh_claims(target.attacker_user_id, target.victim_tenant_id, target.run_id);
    out.push_back(
        {"victim_sub", v1::FORGERY_VICTIM_SUB, jwt::sign_jwt(victim_elsewhere, key), true, ForgeryAim::identity});
    out.push_back(
        {"other_tenant", v1::FORGERY_OTHER_TENANT, jwt::sign_jwt(attacker_as_tenant, key), true, ForgeryAim::identity});
  }
  if (!target.victim_tenant_id.empty()) {
    auto other_run = fresh_claims(target.victim_user_id, target.victim_tenant_id, target.run_id + "-other");
    out.push_back({"other_run", v1::FORGERY_OTHER_RUN, jwt::sign_jwt(other_run, key), true, ForgeryAim::identity});
  }
}

}  // namespace

std::vector<ForgedToken> forge_tokens(const ForgeryTarget& target) {
  auto victim = fresh_claims(target.victim_user_id, target.victim_tenant_id, target.run_id);
  std::vector<ForgedToken> forged;
  add_keyless(target, jwt::claims_json(victim), forged);
  // Without the platform's key a claim-level forgery can only be signed
  // with a random one: still sent, but marked, so the report can say the
  // platform may have refused it for the signature alone.
  bool known = !target.secret.empty();
  add_claim_level(victim, known ? target.secret : random_bytes(32), known, forged);
  if (known) {
    add_identity(target, forged);
  }
  return forged;
}

std::optional<std::int64_t> token_expiry(const std::string& token) {
  auto [first, second] = payload_span(token);
  if (first == std::string::npos || second == std::string::npos) {
    return std::nullopt;
  }
  auto claims = payload_claims(token, first, second);
  if (auto exp = claims.find("exp"); exp != claims.end() && exp->is_number()) {
    return exp->get<std::int64_t>();
  }
  return std::nullopt;
}

}  // namespace cast::worker
