// protocol.md, auth service and token checks: every refused token kind gets
// HTTP 401 before the WebSocket upgrade and on the REST state API.
#include <doctest/doctest.h>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/net/http_client.h"
#include "tests/support/protocol_client.h"
#include "tests/support/reference_platform.h"
#include "tests/support/test_users.h"
#include "tests/support/token_forge.h"

using namespace cast::test;

namespace {

ReferencePlatform& platform() {
  static ReferencePlatform instance{ReferenceOptions{}};
  return instance;
}

json decode_claims(const std::string& token) {
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  return json::parse(cast::base64url_decode(token.substr(first + 1, second - first - 1)).value());
}

}  // namespace

TEST_CASE("both services answer /health") {
  auto auth = cast::http_get(platform().auth_url() + "/health");
  CHECK(auth.status == 200);
  CHECK(json::parse(auth.body).at("status") == "ok");
  auto backend = cast::http_get(platform().backend_url() + "/health");
  CHECK(backend.status == 200);
  auto body = json::parse(backend.body);
  CHECK(body.at("status") == "ok");
  CHECK(body.at("connections").is_number_integer());
}

TEST_CASE("POST /auth/token issues an HS256 JWT with the protocol's claims") {
  json request{
      {"user_id", "u-000042"}, {"tenant_id", "t-0007"}, {"email", "a@b.test"}, {"run_id", "run-x"}, {"ttl_s", 120}};
  auto res = cast::http_post(platform().auth_url() + "/auth/token", request.dump());
  REQUIRE(res.status == 200);
  auto body = json::parse(res.body);
  CHECK(body.at("token_type") == "Bearer");
  CHECK(body.at("expires_in") == 120);
  auto token = body.at("access_token").get<std::string>();
  auto claims = decode_claims(token);
  CHECK(claims.at("sub") == "u-000042");
  CHECK(claims.at("tid") == "t-0007");
  CHECK(claims.at("email") == "a@b.test");
  CHECK(claims.at("rid") == "run-x");
  CHECK(claims.at("aud") == "agent-platform");
  CHECK(claims.at("exp").get<long>() - claims.at("iat").get<long>() == 120);
  CHECK_FALSE(claims.at("jti").get<std::string>().empty());
  // The signature is HS256 under the shared secret, over header.payload as sent.
  auto dot = token.rfind('.');
  CHECK(json::parse(cast::base64url_decode(token.substr(0, token.find('.'))).value()).at("alg") == "HS256");
  CHECK(cast::base64url_decode(token.substr(dot + 1)).value() ==
        cast::hmac_sha256(platform().secret(), token.substr(0, dot)));
  CHECK(WsClient::upgrade_status(platform().ws_url(), token) == 101);
}

TEST_CASE("POST /auth/token answers 400 with an error for a bad body") {
  for (std::string body : {"not json", "{}", R"({"user_id":"u-1"})", R"({"user_id":7,"tenant_id":"t-1"})",
                           R"({"user_id":"u-1","tenant_id":["t"]})"}) {
    CAPTURE(body);
    auto res = cast::http_post(platform().auth_url() + "/auth/token", body);
    CHECK(res.status == 400);
    auto parsed = json::parse(res.body, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    CHECK(parsed.at("error").is_string());
  }
}

TEST_CASE("a token in ?token= is accepted like the Authorization header") {
  auto user = make_user(platform().auth_url(), fresh_run_id("query"), 1);
  CHECK(WsClient::upgrade_status(platform().ws_url(), user.token, TokenPlacement::query) == 101);
}

TEST_CASE("every kind of bad token is refused with 401 before the upgrade and on REST") {
  auto secret = platform().secret();
  auto claims = valid_claims("u-000001", "t-1", "run-forge");
  auto good = forge_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, claims, secret);
  REQUIRE(WsClient::upgrade_status(platform().ws_url(), good) == 101);

  auto expired = claims;
  expired["iat"] = claims["iat"].get<long>() - 7200;
  expired["exp"] = claims["iat"].get<long>() - 3600;
  auto future = claims;
  future["nbf"] = claims["iat"].get<long>() + 3600;
  auto wrong_aud = claims;
  wrong_aud["aud"] = "someone-else";
  auto tampered_claims = claims;
  tampered_claims["sub"] = "u-000002";
  // The victim's user id in the payload, the original signature kept.
  auto tampered = good.substr(0, good.find('.') + 1) + cast::base64url_encode(tampered_claims.dump()) +
                  good.substr(good.rfind('.'));

  std::vector<std::pair<std::string, std::string>> bad{
      {"missing", ""},
      {"garbage", "not-a-token"},
      {"expired", forge_jwt({{"alg", "HS256"}}, expired, secret)},
      {"not yet valid", forge_jwt({{"alg", "HS256"}}, future, secret)},
      {"tampered payload", tampered},
      {"truncated signature", good.substr(0, good.size() - 5)},
      {"alg none", forge_jwt({{"alg", "none"}}, claims, "")},
      {"alg None", forge_jwt({{"alg", "None"}}, claims, "")},
      {"alg NONE", forge_jwt({{"alg", "NONE"}}, claims, "")},
      {"alg nOnE with signature", forge_jwt({{"alg", "nOnE"}}, claims, secret)},
      {"HS512 header", forge_jwt({{"alg", "HS512"}}, claims, secret)},
      {"wrong key", forge_jwt({{"alg", "HS256"}}, claims, "not-the-secret")},
      {"wrong audience", forge_jwt({{"alg", "HS256"}}, wrong_aud, secret)},
      {"unknown kid", forge_jwt({{"alg", "HS256"}, {"kid", "rotated-away"}}, claims, secret)},
  };
  // Not a structured binding: clang 14 (the TSan build) cannot capture one
  // in CAPTURE's lambda.
  for (const auto& entry : bad) {
    const std::string& kind = entry.first;
    const std::string& token = entry.second;
    CAPTURE(kind);
    CHECK(WsClient::upgrade_status(platform().ws_url(), token) == 401);
    CHECK(WsClient::upgrade_status(platform().ws_url(), token, TokenPlacement::query) == 401);
    CHECK(rest_get_state(platform().backend_url(), "any-agent", token).status == 401);
  }
}
