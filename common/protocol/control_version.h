#pragma once

#include <cstdint>

namespace cast {

// The version of the controller-worker contract (proto/cast_control.proto)
// a binary speaks, sent in Hello.protocol_version. Raise it whenever a
// change means an older peer would misread the stream; the controller
// refuses any other version with a reason.
inline constexpr std::uint32_t kControlProtocolVersion = 1;

}  // namespace cast
