#include "worker/probe/forged_tokens.h"

#include <nlohmann/json.hpp>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/jwt/jwt.h"

namespace cast::worker {
namespace {

using nlohmann::json;

constexpr std::int64_t kHour = 3600;

jwt::Claims victim_claims(const ForgeryTarget& target) {
  jwt::Claims claims;
  claims.sub = target.victim_user_id;
  claims.tid = target.victim_tenant_id;
  claims.jti = hex_encode(random_bytes(8));
  claims.rid = target.run_id;
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

// The attacker's own token with only `sub` changed, keeping its signature.
std::string tampered(const ForgeryTarget& target) {
  const auto& token = target.attacker_token;
  auto first = token.find('.');
  auto second = token.find('.', first == std::string::npos ? 0 : first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    return token + "x";
  }
  auto payload = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  auto claims = json::parse(payload.value_or("{}"), nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) {
    claims = json::object();
  }
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

}  // namespace

std::vector<ForgedToken> forge_tokens(const ForgeryTarget& target) {
  // Claims that are bad only in a validly signed token (expiry, nbf,
  // audience, kid) would need the platform's secret, which the harness does
  // not have for an arbitrary platform. They are signed with a wrong key
  // instead: a platform must refuse them for either reason, and one that
  // checked only the signature or only the claims still fails another row.
  auto wrong_key = random_bytes(32);
  auto claims = victim_claims(target);
  auto expired = claims;
  expired.iat -= 2 * kHour;
  expired.exp = claims.iat - kHour;
  auto early = claims;
  early.nbf = claims.iat + kHour;
  auto foreign_audience = claims;
  foreign_audience.aud = "not-" + std::string(jwt::kAudience);
  auto payload = jwt::claims_json(claims);
  return {
      {"missing", ""},
      {"alg_none", jwt::encode_unsigned_jwt(header("none"), payload)},
      {"alg_None", jwt::encode_unsigned_jwt(header("None"), payload)},
      {"alg_NONE", jwt::encode_unsigned_jwt(header("NONE"), payload)},
      {"expired", jwt::sign_jwt(expired, wrong_key)},
      {"not_yet_valid", jwt::sign_jwt(early, wrong_key)},
      {"tampered_payload", tampered(target)},
      {"truncated_signature", truncated(target.attacker_token)},
      {"wrong_audience", jwt::sign_jwt(foreign_audience, wrong_key)},
      {"unknown_kid", jwt::encode_jwt(header("HS256", "cast-unknown-kid"), payload, wrong_key)},
      {"wrong_key", jwt::sign_jwt(claims, wrong_key)},
  };
}

}  // namespace cast::worker
