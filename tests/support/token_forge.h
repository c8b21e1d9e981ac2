#pragma once

// Builds JWTs by hand, right or wrong on purpose, so tests can check that a
// platform refuses each kind of bad token. Deliberately independent of the
// platform's own JWT code: a test must not share the bug it looks for.

#include <nlohmann/json.hpp>
#include <string>

namespace cast::test {

// header.payload.signature with HS256 over the first two parts under
// `secret`; an empty secret leaves the signature empty (alg:none style).
std::string forge_jwt(const nlohmann::json& header, const nlohmann::json& payload, const std::string& secret);

// Claims protocol.md requires, valid for `ttl_s` seconds from now.
nlohmann::json valid_claims(const std::string& user_id, const std::string& tenant_id, const std::string& run_id,
                            long ttl_s = 900);

}  // namespace cast::test
