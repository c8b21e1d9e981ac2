#pragma once

#include <string>
#include <vector>

namespace cast::worker {

// One token a platform must refuse, named for the report
// ("alg_none", "expired", ...). An empty token means "no token at all".
struct ForgedToken {
  std::string kind;
  std::string token;
};

// Who the forgeries are made from and aimed at.
struct ForgeryTarget {
  std::string attacker_token;  // the attacker's real token, granted by auth
  std::string victim_user_id;
  std::string victim_tenant_id;  // may be empty: the claim is then left out of the aim
  std::string run_id;
};

// Every forgery of protocol.md's refused-token list, each aimed at the
// victim where its shape allows: missing, alg none (three casings),
// expired, not yet valid, tampered payload under the attacker's signature,
// truncated signature, wrong audience, unknown kid, wrong key. Each call
// signs with a fresh random key: the platform's secret is never known here.
std::vector<ForgedToken> forge_tokens(const ForgeryTarget& target);

}  // namespace cast::worker
