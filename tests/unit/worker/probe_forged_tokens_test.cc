#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/crypto/encoding.h"
#include "common/jwt/jwt.h"
#include "worker/probe/forged_tokens.h"

namespace cast::worker {
namespace {

constexpr const char* kSecret = "platform-secret";

std::string attacker_token() {
  jwt::Claims claims;
  claims.sub = "u-000001";
  claims.tid = "t-0001";
  claims.iat = jwt::unix_now();
  claims.exp = claims.iat + 900;
  return jwt::sign_jwt(claims, kSecret);
}

std::map<std::string, std::string> forged_by_kind() {
  std::map<std::string, std::string> by_kind;
  for (auto& forged : forge_tokens({attacker_token(), "u-000002", "t-0002", "run-x"})) {
    by_kind[forged.kind] = forged.token;
  }
  return by_kind;
}

std::string sub_of(const std::string& token) {
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  return nlohmann::json::parse(payload.value())["sub"];
}

}  // namespace

TEST_CASE("forged tokens: every kind of protocol.md, each refused by a verifier holding the real secret") {
  auto forged = forged_by_kind();
  const std::vector<std::string> kinds{"missing", "alg_none", "alg_None", "alg_NONE", "expired", "not_yet_valid",
                                       "tampered_payload", "truncated_signature", "wrong_audience", "unknown_kid",
                                       "wrong_key"};
  CHECK(forged.size() == kinds.size());
  jwt::VerifyOptions options;
  options.secret = kSecret;
  for (const auto& kind : kinds) {
    CAPTURE(kind);
    REQUIRE(forged.count(kind) == 1);
    CHECK_FALSE(jwt::verify_jwt(forged[kind], options));
  }
  CHECK(forged["missing"].empty());
  CHECK(jwt::verify_jwt(forged["alg_none"], options).refusal == jwt::Refusal::alg_none);
  CHECK(jwt::verify_jwt(forged["unknown_kid"], options).refusal == jwt::Refusal::unknown_kid);
  CHECK(jwt::verify_jwt(forged["tampered_payload"], options).refusal == jwt::Refusal::bad_signature);
  CHECK(jwt::verify_jwt(forged["truncated_signature"], options).refusal == jwt::Refusal::bad_signature);
}

TEST_CASE("forged tokens: aimed at the victim, and accepted by a verifier with the alg:none hole") {
  auto forged = forged_by_kind();
  for (const auto& kind : {"alg_none", "alg_None", "alg_NONE", "tampered_payload", "wrong_key", "expired"}) {
    CAPTURE(kind);
    CHECK(sub_of(forged[kind]) == "u-000002");
  }
  CHECK(sub_of(forged["truncated_signature"]) == "u-000001");
  jwt::VerifyOptions lax;
  lax.secret = kSecret;
  lax.accept_alg_none = true;
  for (const auto& kind : {"alg_none", "alg_None", "alg_NONE"}) {
    CAPTURE(kind);
    auto verified = jwt::verify_jwt(forged[kind], lax);
    REQUIRE(verified);
    CHECK(verified.claims->sub == "u-000002");
  }
  // Bad claims alone: the same claims under the real secret would be refused for the claim.
  CHECK(jwt::verify_jwt(forged["wrong_key"], lax).refusal == jwt::Refusal::bad_signature);
}

}  // namespace cast::worker
