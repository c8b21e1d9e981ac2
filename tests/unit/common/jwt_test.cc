#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/crypto/encoding.h"
#include "common/jwt/jwt.h"

namespace {

using cast::jwt::Refusal;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr const char* kSecret = "unit-test-secret";

cast::jwt::Claims alice() {
  cast::jwt::Claims claims;
  claims.sub = "u-000001";
  claims.tid = "t-0001";
  claims.email = "alice@example.test";
  claims.jti = "jti-1";
  claims.rid = "run-1";
  claims.iat = kNow - 10;
  claims.exp = kNow + 900;
  return claims;
}

cast::jwt::VerifyOptions options(std::string kid = {}) {
  cast::jwt::VerifyOptions verify;
  verify.secret = kSecret;
  verify.kid = std::move(kid);
  verify.now = kNow;
  return verify;
}

Refusal refusal_of(const std::string& token, const cast::jwt::VerifyOptions& verify = options()) {
  auto verified = cast::jwt::verify_jwt(token, verify);
  REQUIRE_FALSE(verified);
  return verified.refusal;
}

std::string with_header(const std::string& header) {
  return cast::jwt::encode_jwt(header, cast::jwt::claims_json(alice()), kSecret);
}

}  // namespace

TEST_CASE("jwt: a signed token verifies and gives back its claims") {
  auto token = cast::jwt::sign_jwt(alice(), kSecret);
  auto verified = cast::jwt::verify_jwt(token, options());
  REQUIRE(verified);
  CHECK(verified.claims->sub == "u-000001");
  CHECK(verified.claims->tid == "t-0001");
  CHECK(verified.claims->email == "alice@example.test");
  CHECK(verified.claims->rid == "run-1");
  CHECK(verified.claims->aud == "agent-platform");
  CHECK(verified.claims->exp == kNow + 900);
}

TEST_CASE("jwt: a token with the configured kid verifies, another kid does not") {
  auto token = cast::jwt::sign_jwt(alice(), kSecret, "k1");
  CHECK(cast::jwt::verify_jwt(token, options("k1")));
  CHECK(refusal_of(token, options("k2")) == Refusal::unknown_kid);
  CHECK(refusal_of(token, options()) == Refusal::unknown_kid);
}

TEST_CASE("jwt: expired and not-yet-valid tokens are refused") {
  auto claims = alice();
  claims.exp = kNow - 1;
  CHECK(refusal_of(cast::jwt::sign_jwt(claims, kSecret)) == Refusal::expired);
  claims = alice();
  claims.nbf = kNow + 60;
  CHECK(refusal_of(cast::jwt::sign_jwt(claims, kSecret)) == Refusal::not_yet_valid);
  claims.nbf = kNow - 60;
  CHECK(cast::jwt::verify_jwt(cast::jwt::sign_jwt(claims, kSecret), options()));
}

TEST_CASE("jwt: a tampered payload with the old signature is refused") {
  auto token = cast::jwt::sign_jwt(alice(), kSecret);
  auto victim = alice();
  victim.sub = "u-000002";
  auto forged_payload = cast::base64url_encode(cast::jwt::claims_json(victim));
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  auto tampered = token.substr(0, first + 1) + forged_payload + token.substr(second);
  CHECK(refusal_of(tampered) == Refusal::bad_signature);
}

TEST_CASE("jwt: truncated and missing signatures are refused") {
  auto token = cast::jwt::sign_jwt(alice(), kSecret);
  CHECK(refusal_of(token.substr(0, token.size() - 4)) == Refusal::bad_signature);
  CHECK(refusal_of(token.substr(0, token.size() - 1)) == Refusal::bad_signature);
  CHECK(refusal_of(token.substr(0, token.rfind('.') + 1)) == Refusal::bad_signature);
}

TEST_CASE("jwt: alg none is refused in every casing unless explicitly accepted") {
  auto payload = cast::jwt::claims_json(alice());
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    CAPTURE(alg);
    auto header = nlohmann::json{{"alg", alg}, {"typ", "JWT"}}.dump();
    auto token = cast::jwt::encode_unsigned_jwt(header, payload);
    CHECK(refusal_of(token) == Refusal::alg_none);
    auto lenient = options();
    lenient.accept_alg_none = true;
    auto verified = cast::jwt::verify_jwt(token, lenient);
    REQUIRE(verified);
    CHECK(verified.claims->sub == "u-000001");
  }
}

TEST_CASE("jwt: any algorithm but exactly HS256 is refused") {
  CHECK(refusal_of(with_header(R"({"alg":"HS512","typ":"JWT"})")) == Refusal::wrong_alg);
  CHECK(refusal_of(with_header(R"({"alg":"hs256","typ":"JWT"})")) == Refusal::wrong_alg);
  CHECK(refusal_of(with_header(R"({"alg":"RS256","typ":"JWT"})")) == Refusal::wrong_alg);
  CHECK(refusal_of(with_header(R"({"typ":"JWT"})")) == Refusal::malformed);
}

TEST_CASE("jwt: a wrong audience is refused") {
  auto claims = alice();
  claims.aud = "another-platform";
  CHECK(refusal_of(cast::jwt::sign_jwt(claims, kSecret)) == Refusal::wrong_audience);
  claims.aud.clear();
  CHECK(refusal_of(cast::jwt::sign_jwt(claims, kSecret)) == Refusal::wrong_audience);
}

TEST_CASE("jwt: a token signed with another key is refused") {
  CHECK(refusal_of(cast::jwt::sign_jwt(alice(), "wrong-secret")) == Refusal::bad_signature);
}

TEST_CASE("jwt: garbage is refused as missing or malformed, never accepted") {
  CHECK(refusal_of("") == Refusal::missing);
  CHECK(refusal_of("garbage") == Refusal::malformed);
  CHECK(refusal_of("a.b.c.d") == Refusal::malformed);
  CHECK(refusal_of("!!!.???.***") == Refusal::malformed);
  CHECK(refusal_of(cast::jwt::encode_jwt("not json", "{}", kSecret)) == Refusal::malformed);
  CHECK(refusal_of(cast::jwt::encode_jwt(R"({"alg":"HS256"})", "not json", kSecret)) == Refusal::malformed);
  CHECK(refusal_of(cast::jwt::encode_jwt(R"({"alg":"HS256"})", R"({"sub":7,"exp":1})", kSecret)) == Refusal::malformed);
  CHECK(refusal_of(cast::jwt::encode_jwt(R"({"alg":"HS256"})", R"({"sub":"u","aud":"agent-platform"})", kSecret)) ==
        Refusal::malformed);
}

TEST_CASE("jwt: a lax verifier skips exactly the claim check it was told to, never the signature") {
  auto expired = alice();
  expired.exp = kNow - 60;
  auto early = alice();
  early.nbf = kNow + 600;
  auto foreign = alice();
  foreign.aud = "another-platform";
  auto no_audience = alice();
  no_audience.aud.clear();
  auto lax = [](bool cast::jwt::VerifyOptions::*skip) {
    auto verify = options();
    verify.*skip = true;
    return verify;
  };
  using Options = cast::jwt::VerifyOptions;
  CHECK(cast::jwt::verify_jwt(cast::jwt::sign_jwt(expired, kSecret), lax(&Options::ignore_exp)));
  CHECK(refusal_of(cast::jwt::sign_jwt(expired, kSecret), lax(&Options::ignore_nbf)) == Refusal::expired);
  CHECK(cast::jwt::verify_jwt(cast::jwt::sign_jwt(early, kSecret), lax(&Options::ignore_nbf)));
  CHECK(refusal_of(cast::jwt::sign_jwt(early, kSecret), lax(&Options::ignore_aud)) == Refusal::not_yet_valid);
  CHECK(cast::jwt::verify_jwt(cast::jwt::sign_jwt(foreign, kSecret), lax(&Options::ignore_aud)));
  CHECK(cast::jwt::verify_jwt(cast::jwt::sign_jwt(no_audience, kSecret), lax(&Options::ignore_aud)));
  CHECK(refusal_of(cast::jwt::sign_jwt(foreign, kSecret), lax(&Options::ignore_kid)) == Refusal::wrong_audience);
  CHECK(cast::jwt::verify_jwt(cast::jwt::sign_jwt(alice(), kSecret, "other-kid"), lax(&Options::ignore_kid)));
  CHECK(refusal_of(cast::jwt::sign_jwt(alice(), kSecret, "other-kid")) == Refusal::unknown_kid);
  for (auto skip : {&Options::ignore_exp, &Options::ignore_nbf, &Options::ignore_aud, &Options::ignore_kid}) {
    CHECK_FALSE(cast::jwt::verify_jwt(cast::jwt::sign_jwt(alice(), "wrong-secret"), lax(skip)));
  }
}

TEST_CASE("jwt: a token with no aud claim at all is refused as wrong audience") {
  auto claims = alice();
  claims.aud.clear();
  auto token = cast::jwt::sign_jwt(claims, kSecret);
  auto payload = cast::base64url_decode(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  REQUIRE(payload);
  CHECK(nlohmann::json::parse(*payload).count("aud") == 0);
  CHECK(refusal_of(token) == Refusal::wrong_audience);
}
