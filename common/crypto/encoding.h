#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cast {

std::string hex_encode(std::string_view bytes);

// RFC 4648 base64 (with padding) and base64url (no padding, as JWTs use).
std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);

// Decoders are strict: nullopt on any character outside the alphabet or a
// length no encoder produces. base64url accepts input with or without padding.
std::optional<std::string> base64_decode(std::string_view text);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace cast
