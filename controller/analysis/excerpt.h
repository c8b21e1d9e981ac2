#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cast::controller {

// Evidence for a finding: the foreign bytes at [offset, offset + length) of
// `payload`, marked `>>>like this<<<`, with up to `context` bytes either
// side and "..." where the payload goes on. Offsets past the end are
// clamped; cuts never split a UTF-8 sequence, so the excerpt stays valid
// text for JSON and XML reports.
std::string mark_excerpt(std::string_view payload, std::size_t offset, std::size_t length, std::size_t context = 40);

}  // namespace cast::controller
