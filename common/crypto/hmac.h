#pragma once

#include <string>
#include <string_view>

namespace cast {

// HMAC-SHA256 of `message` under `key`: 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Compares in time independent of where the inputs first differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// `n` bytes from the OpenSSL CSPRNG (run keys, secrets, jti values).
std::string random_bytes(std::size_t n);

}  // namespace cast
