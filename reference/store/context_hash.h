#pragma once

// How a context object is laid out as a Redis hash. Both caches (Redis and
// in memory) use this one encoding, so a test against either sees the same
// round trip.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cast::reference {

using HashFields = std::vector<std::pair<std::string, std::string>>;

// One field per top-level member: strings as they are, every other value as
// its JSON text. Throws std::invalid_argument unless `context` is an object.
HashFields context_to_hash(const nlohmann::json& context);

// The inverse: a value that reads as a JSON object, array, number, boolean
// or null comes back as that value, anything else as a string.
nlohmann::json hash_to_context(const HashFields& fields);

}  // namespace cast::reference
