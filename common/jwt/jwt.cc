#include "common/jwt/jwt.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"

namespace cast::jwt {
namespace {

using nlohmann::json;

struct TokenParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // "header.payload"
};

std::optional<TokenParts> split_token(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  auto second = token.find('.', first + 1);
  TokenParts parts;
  parts.header = token.substr(0, first);
  if (second == std::string_view::npos) {
    // "header.payload": only an unsigned token may look like this.
    parts.payload = token.substr(first + 1);
    parts.signing_input = token;
    return parts;
  }
  if (token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  parts.payload = token.substr(first + 1, second - first - 1);
  parts.signature = token.substr(second + 1);
  parts.signing_input = token.substr(0, second);
  return parts;
}

std::optional<json> decode_object(std::string_view part) {
  auto text = base64url_decode(part);
  if (!text) {
    return std::nullopt;
  }
  auto parsed = json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return std::nullopt;
  }
  return parsed;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Header checks come before the signature so that alg:none and foreign
// algorithms get their own refusal reasons.
std::optional<Refusal> check_header(const json& header, const TokenParts& parts, const VerifyOptions& options) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) {
    return Refusal::malformed;
  }
  const auto& name = alg->get_ref<const std::string&>();
  if (lower(name) == "none") {
    if (!options.accept_alg_none) {
      return Refusal::alg_none;
    }
    return parts.signature.empty() ? std::nullopt : std::optional{Refusal::bad_signature};
  }
  if (name != "HS256") {
    return Refusal::wrong_alg;
  }
  auto kid = header.find("kid");
  bool kid_known = kid == header.end() || (kid->is_string() && kid->get_ref<const std::string&>() == options.kid);
  if (!kid_known && !options.ignore_kid) {
    return Refusal::unknown_kid;
  }
  auto signature = base64url_decode(parts.signature);
  auto expected = hmac_sha256(options.secret, parts.signing_input);
  if (!signature || !constant_time_equal(*signature, expected)) {
    return Refusal::bad_signature;
  }
  return std::nullopt;
}

bool read_string(const json& payload, const char* name, std::string& out) {
  auto it = payload.find(name);
  if (it == payload.end()) {
    return true;
  }
  if (!it->is_string()) {
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool read_seconds(const json& payload, const char* name, std::optional<std::int64_t>& out) {
  auto it = payload.find(name);
  if (it == payload.end()) {
    return true;
  }
  if (!it->is_number()) {
    return false;
  }
  out = static_cast<std::int64_t>(it->get<double>());
  return true;
}

bool audience_matches(const json& payload) {
  auto aud = payload.find("aud");
  if (aud == payload.end()) {
    return false;
  }
  if (aud->is_string()) {
    return *aud == kAudience;
  }
  return aud->is_array() && std::find(aud->begin(), aud->end(), json(kAudience)) != aud->end();
}

std::optional<Claims> read_claims(const json& payload) {
  Claims claims;
  claims.aud.clear();
  std::optional<std::int64_t> iat;
  std::optional<std::int64_t> exp;
  bool typed = read_string(payload, "sub", claims.sub) && read_string(payload, "tid", claims.tid) &&
               read_string(payload, "email", claims.email) && read_string(payload, "jti", claims.jti) &&
               read_string(payload, "rid", claims.rid) && read_seconds(payload, "iat", iat) &&
               read_seconds(payload, "exp", exp) && read_seconds(payload, "nbf", claims.nbf);
  // Tokens without a subject or an expiry name nobody for a bounded time: refuse them.
  if (!typed || claims.sub.empty() || !exp) {
    return std::nullopt;
  }
  claims.iat = iat.value_or(0);
  claims.exp = *exp;
  if (auto aud = payload.find("aud"); aud != payload.end() && aud->is_string()) {
    claims.aud = aud->get<std::string>();
  }
  return claims;
}

Verified refuse(Refusal refusal) { return Verified{std::nullopt, refusal}; }

}  // namespace

std::string_view to_string(Refusal refusal) {
  switch (refusal) {
    case Refusal::missing: return "missing";
    case Refusal::malformed: return "malformed";
    case Refusal::bad_signature: return "bad_signature";
    case Refusal::alg_none: return "alg_none";
    case Refusal::wrong_alg: return "wrong_alg";
    case Refusal::expired: return "expired";
    case Refusal::not_yet_valid: return "not_yet_valid";
    case Refusal::wrong_audience: return "wrong_audience";
    case Refusal::unknown_kid: return "unknown_kid";
  }
  return "unknown";
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Verified verify_jwt(std::string_view token, const VerifyOptions& options) {
  if (token.empty()) {
    return refuse(Refusal::missing);
  }
  auto parts = split_token(token);
  if (!parts) {
    return refuse(Refusal::malformed);
  }
  auto header = decode_object(parts->header);
  if (!header) {
    return refuse(Refusal::malformed);
  }
  if (auto refusal = check_header(*header, *parts, options)) {
    return refuse(*refusal);
  }
  auto payload = decode_object(parts->payload);
  auto claims = payload ? read_claims(*payload) : std::nullopt;
  if (!claims) {
    return refuse(Refusal::malformed);
  }
  auto now = options.now.value_or(unix_now());
  auto leeway = options.leeway.count();
  if (claims->exp <= now - leeway && !options.ignore_exp) {
    return refuse(Refusal::expired);
  }
  if (claims->nbf && *claims->nbf > now + leeway && !options.ignore_nbf) {
    return refuse(Refusal::not_yet_valid);
  }
  if (!audience_matches(*payload) && !options.ignore_aud) {
    return refuse(Refusal::wrong_audience);
  }
  return Verified{std::move(claims), Refusal::malformed};
}

std::string claims_json(const Claims& claims) {
  json payload{{"sub", claims.sub}, {"tid", claims.tid}, {"email", claims.email},
               {"iat", claims.iat}, {"exp", claims.exp}, {"jti", claims.jti}};
  if (!claims.aud.empty()) {
    payload["aud"] = claims.aud;
  }
  if (!claims.rid.empty()) {
    payload["rid"] = claims.rid;
  }
  if (claims.nbf) {
    payload["nbf"] = *claims.nbf;
  }
  return payload.dump();
}

std::string sign_jwt(const Claims& claims, std::string_view secret, std::string_view kid) {
  json header{{"alg", "HS256"}, {"typ", "JWT"}};
  if (!kid.empty()) {
    header["kid"] = std::string(kid);
  }
  return encode_jwt(header.dump(), claims_json(claims), secret);
}

std::string encode_unsigned_jwt(std::string_view header_json, std::string_view payload_json) {
  return base64url_encode(header_json) + "." + base64url_encode(payload_json) + ".";
}

std::string encode_jwt(std::string_view header_json, std::string_view payload_json, std::string_view secret) {
  auto signing_input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));
}

}  // namespace cast::jwt
