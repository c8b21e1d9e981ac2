#pragma once

// HS256 JSON Web Tokens as the agent session protocol uses them. The
// reference platform signs and verifies with this; the harness uses the raw
// encoders to forge tokens for its authorization probes.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cast::jwt {

inline constexpr std::string_view kAudience = "agent-platform";

struct Claims {
  std::string sub;  // user_id
  std::string tid;  // tenant_id
  std::string email;
  std::string jti;
  std::string aud{kAudience};
  std::string rid;                  // run_id; empty when the token request named none
  std::int64_t iat{0};              // seconds since the epoch
  std::int64_t exp{0};              // seconds since the epoch
  std::optional<std::int64_t> nbf;  // seconds since the epoch
};

// Why a token was refused.
enum class Refusal {
  missing,
  malformed,
  bad_signature,
  alg_none,
  wrong_alg,
  expired,
  not_yet_valid,
  wrong_audience,
  unknown_kid,
};

std::string_view to_string(Refusal refusal);

struct VerifyOptions {
  std::string secret;
  std::string kid;              // empty: tokens must carry no kid
  bool accept_alg_none{false};  // only the reference platform's jwt_none fault sets this
  // Claim checks a careless verifier skips; only the reference platform's
  // jwt_ignore_* faults turn them off. The signature is checked regardless.
  bool ignore_exp{false};
  bool ignore_nbf{false};
  bool ignore_aud{false};
  bool ignore_kid{false};
  std::chrono::seconds leeway{0};
  std::optional<std::int64_t> now;  // seconds since the epoch; empty: the system clock
};

struct Verified {
  std::optional<Claims> claims;         // set when the token is accepted
  Refusal refusal{Refusal::malformed};  // meaningful only when claims is empty

  explicit operator bool() const { return claims.has_value(); }
};

Verified verify_jwt(std::string_view token, const VerifyOptions& options);

// A signed token for `claims` with header {"alg":"HS256","typ":"JWT"[,"kid"]}.
std::string sign_jwt(const Claims& claims, std::string_view secret, std::string_view kid = {});

// The claims as the JSON payload a token carries (aud, nbf and rid only when set).
std::string claims_json(const Claims& claims);

// Raw encoders for forging: the header and payload are taken as given (any
// alg, any fields, even invalid JSON); the signature is HMAC-SHA256 under
// `secret` whatever the header says.
std::string encode_jwt(std::string_view header_json, std::string_view payload_json, std::string_view secret);
// "header.payload." with an empty signature, the shape of an alg:none token.
std::string encode_unsigned_jwt(std::string_view header_json, std::string_view payload_json);

std::int64_t unix_now();

}  // namespace cast::jwt
