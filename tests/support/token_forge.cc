#include "tests/support/token_forge.h"

#include <chrono>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"

namespace cast::test {

std::string forge_jwt(const nlohmann::json& header, const nlohmann::json& payload, const std::string& secret) {
  auto signing_input = base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
  auto signature = secret.empty() ? std::string{} : base64url_encode(hmac_sha256(secret, signing_input));
  return signing_input + "." + signature;
}

nlohmann::json valid_claims(const std::string& user_id, const std::string& tenant_id, const std::string& run_id,
                            long ttl_s) {
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return {{"sub", user_id},
          {"tid", tenant_id},
          {"email", user_id + "@forge.cast.test"},
          {"iat", now},
          {"exp", now + ttl_s},
          {"jti", hex_encode(random_bytes(8))},
          {"aud", "agent-platform"},
          {"rid", run_id}};
}

}  // namespace cast::test
