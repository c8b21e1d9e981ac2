#pragma once

#include <cstdint>

namespace cast {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and
// released). Another process may take it before our server binds it, so a
// caller must detect a failed bind and retry with a fresh port.
// Throws std::system_error when no socket can be bound at all.
std::uint16_t free_loopback_port();

}  // namespace cast
