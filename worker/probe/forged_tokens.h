#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cast_control.pb.h"

namespace cast::worker {

// How a forged token must be refused.
enum class ForgeryAim {
  // A bad credential: authentication must refuse it (401), on REST and on
  // the WebSocket upgrade.
  credential,
  // A well-signed token with valid claims that names someone other than the
  // victim's owner (another tenant, another run): authentication may pass,
  // the owner check must not (401 or 404). REST only: its upgrade is granted
  // rightly, to that other identity.
  identity,
};

// One token a platform must refuse, named for the report ("alg_none",
// "expired", ...). An empty token means "no token at all".
struct ForgedToken {
  std::string kind;
  cast::v1::ForgeryKind forgery{cast::v1::FORGERY_UNSPECIFIED};
  std::string token;
  // Only its claim makes it invalid: signed with the platform's own key
  // (or needing no key at all). False: signed with a random key, so a
  // signature check alone refuses it and the claim itself is not tested.
  bool full_strength{true};
  ForgeryAim aim{ForgeryAim::credential};
};

// Who the forgeries are made from and aimed at.
struct ForgeryTarget {
  std::string attacker_token;  // the attacker's real token, granted by auth
  std::string attacker_user_id;
  std::string attacker_tenant_id;
  std::string victim_user_id;
  std::string victim_tenant_id;  // may be empty: forgeries naming tenants are then left out
  std::string run_id;
  std::string secret;  // the platform's signing secret; empty when the tester did not give it
};

// Every forgery of protocol.md's refused-token list, each aimed at the
// victim where its shape allows: missing, alg none (three casings),
// tampered payload under the attacker's signature, truncated signature,
// wrong key, and the claim-level ones: expired, not yet valid, wrong and
// missing audience, unknown kid. With the secret the claim-level ones are
// signed with it (full strength), and three identity forgeries are added:
// victim `sub` under the attacker's tenant and the attacker under the
// victim's `tid` (both only when the two tenants differ), and the victim
// under an `rid` of another run. Without it the claim-level ones are
// signed with a fresh random key and marked so; the identity ones cannot
// be made at all.
std::vector<ForgedToken> forge_tokens(const ForgeryTarget& target);

// A JWT's `exp` claim, seconds since the epoch; empty when the token is no
// JWT or has none (read without checking the signature).
std::optional<std::int64_t> token_expiry(const std::string& token);

}  // namespace cast::worker
