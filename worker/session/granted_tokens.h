#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace cast::worker {

// The tokens auth granted this worker's users in their measured sessions,
// by user index: the probe phase that follows presents each attacker's own
// instead of asking auth again (a connection per user saved).
using GrantedTokens = std::unordered_map<std::uint32_t, std::string>;

}  // namespace cast::worker
