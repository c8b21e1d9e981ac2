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

ForgeryTarget target(std::string secret, std::string victim_tenant = "t-0002") {
  return {attacker_token(), "u-000001", "t-0001", "u-000002", std::move(victim_tenant), "run-x", std::move(secret)};
}

std::map<std::string, ForgedToken> forged_by_kind(const ForgeryTarget& aim) {
  std::map<std::string, ForgedToken> by_kind;
  for (auto& forged : forge_tokens(aim)) {
    by_kind[forged.kind] = forged;
  }
  return by_kind;
}

nlohmann::json claims_of(const std::string& token) {
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  return nlohmann::json::parse(payload.value());
}

jwt::VerifyOptions strict() {
  jwt::VerifyOptions options;
  options.secret = kSecret;
  return options;
}

const std::vector<std::string> kKeyless{
    "missing", "alg_none", "alg_None", "alg_NONE", "tampered_payload", "truncated_signature", "wrong_key"};
const std::vector<std::string> kClaimLevel{"expired", "not_yet_valid", "wrong_audience", "missing_audience",
                                           "unknown_kid"};

}  // namespace

TEST_CASE("forged tokens without the secret: every credential kind, claim-level ones marked as not full strength") {
  auto forged = forged_by_kind(target(""));
  CHECK(forged.size() == kKeyless.size() + kClaimLevel.size());
  for (const auto& kind : kKeyless) {
    CAPTURE(kind);
    REQUIRE(forged.count(kind) == 1);
    CHECK(forged[kind].full_strength);
    CHECK_FALSE(jwt::verify_jwt(forged[kind].token, strict()));
  }
  for (const auto& kind : kClaimLevel) {
    CAPTURE(kind);
    REQUIRE(forged.count(kind) == 1);
    CHECK_FALSE(forged[kind].full_strength);
    CHECK(forged[kind].forgery != v1::FORGERY_UNSPECIFIED);
    // A random key: refused for the signature before any claim is looked at.
    auto refusal = jwt::verify_jwt(forged[kind].token, strict()).refusal;
    CHECK((refusal == jwt::Refusal::bad_signature || refusal == jwt::Refusal::unknown_kid));
  }
  CHECK(forged["missing"].token.empty());
  CHECK(jwt::verify_jwt(forged["alg_none"].token, strict()).refusal == jwt::Refusal::alg_none);
  CHECK(jwt::verify_jwt(forged["tampered_payload"].token, strict()).refusal == jwt::Refusal::bad_signature);
  CHECK(jwt::verify_jwt(forged["truncated_signature"].token, strict()).refusal == jwt::Refusal::bad_signature);
  CHECK(jwt::verify_jwt(forged["wrong_key"].token, strict()).refusal == jwt::Refusal::bad_signature);
}

TEST_CASE("forged tokens with the secret: each claim-level forgery is refused for its claim alone") {
  auto forged = forged_by_kind(target(kSecret));
  const std::map<std::string, jwt::Refusal> expected{{"expired", jwt::Refusal::expired},
                                                     {"not_yet_valid", jwt::Refusal::not_yet_valid},
                                                     {"wrong_audience", jwt::Refusal::wrong_audience},
                                                     {"missing_audience", jwt::Refusal::wrong_audience},
                                                     {"unknown_kid", jwt::Refusal::unknown_kid}};
  // Not a structured binding: clang 14 (the TSan build) cannot capture one
  // in CAPTURE's lambda.
  for (const auto& entry : expected) {
    const std::string& kind = entry.first;
    const jwt::Refusal refusal = entry.second;
    CAPTURE(kind);
    REQUIRE(forged.count(kind) == 1);
    CHECK(forged[kind].full_strength);
    CHECK(forged[kind].aim == ForgeryAim::credential);
    CHECK(jwt::verify_jwt(forged[kind].token, strict()).refusal == refusal);
  }
  CHECK(claims_of(forged["missing_audience"].token).count("aud") == 0);
  // A verifier that skips the claim accepts it: the signature is right.
  auto lax = strict();
  lax.ignore_exp = lax.ignore_nbf = lax.ignore_aud = lax.ignore_kid = true;
  for (const auto& kind : kClaimLevel) {
    CAPTURE(kind);
    auto verified = jwt::verify_jwt(forged[kind].token, lax);
    REQUIRE(verified);
    CHECK(verified.claims->sub == "u-000002");
    CHECK(verified.claims->tid == "t-0002");
  }
}

TEST_CASE("forged tokens with the secret: identity forgeries verify but name someone other than the owner") {
  auto forged = forged_by_kind(target(kSecret));
  CHECK(forged.size() == kKeyless.size() + kClaimLevel.size() + 3);
  for (const auto& kind : {"victim_sub", "other_tenant", "other_run"}) {
    CAPTURE(kind);
    REQUIRE(forged.count(kind) == 1);
    CHECK(forged[kind].aim == ForgeryAim::identity);
    CHECK(jwt::verify_jwt(forged[kind].token, strict()));
  }
  auto victim_sub = claims_of(forged["victim_sub"].token);
  CHECK(victim_sub["sub"] == "u-000002");
  CHECK(victim_sub["tid"] == "t-0001");
  auto other_tenant = claims_of(forged["other_tenant"].token);
  CHECK(other_tenant["sub"] == "u-000001");
  CHECK(other_tenant["tid"] == "t-0002");
  auto other_run = claims_of(forged["other_run"].token);
  CHECK(other_run["sub"] == "u-000002");
  CHECK(other_run["tid"] == "t-0002");
  CHECK(other_run["rid"] != "run-x");
}

TEST_CASE("forged tokens: a victim in the attacker's own tenant gets no tenant forgeries, only other_run") {
  auto forged = forged_by_kind(target(kSecret, "t-0001"));
  CHECK(forged.count("victim_sub") == 0);
  CHECK(forged.count("other_tenant") == 0);
  CHECK(forged.count("other_run") == 1);
}

TEST_CASE("forged tokens: aimed at the victim, and accepted by a verifier with the alg:none hole") {
  auto forged = forged_by_kind(target(""));
  for (const auto& kind : {"alg_none", "alg_None", "alg_NONE", "tampered_payload", "wrong_key", "expired"}) {
    CAPTURE(kind);
    CHECK(claims_of(forged[kind].token)["sub"] == "u-000002");
  }
  CHECK(claims_of(forged["truncated_signature"].token)["sub"] == "u-000001");
  auto lax = strict();
  lax.accept_alg_none = true;
  for (const auto& kind : {"alg_none", "alg_None", "alg_NONE"}) {
    CAPTURE(kind);
    auto verified = jwt::verify_jwt(forged[kind].token, lax);
    REQUIRE(verified);
    CHECK(verified.claims->sub == "u-000002");
  }
}

}  // namespace cast::worker
