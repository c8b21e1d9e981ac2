#include "controller/analysis/excerpt.h"

#include <algorithm>

namespace cast::controller {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves `at` back to the first byte of the UTF-8 sequence it falls in.
std::size_t to_sequence_start(std::string_view text, std::size_t at) {
  while (at > 0 && at < text.size() && is_continuation(text[at])) {
    --at;
  }
  return at;
}

}  // namespace

std::string mark_excerpt(std::string_view payload, std::size_t offset, std::size_t length, std::size_t context) {
  offset = std::min(offset, payload.size());
  length = std::min(length, payload.size() - offset);
  std::size_t begin = to_sequence_start(payload, offset > context ? offset - context : 0);
  std::size_t end = to_sequence_start(payload, std::min(payload.size(), offset + length + context));
  std::string out;
  out.reserve(end - begin + 12);
  if (begin > 0) {
    out += "...";
  }
  out.append(payload.substr(begin, offset - begin));
  out += ">>>";
  out.append(payload.substr(offset, length));
  out += "<<<";
  out.append(payload.substr(offset + length, end > offset + length ? end - offset - length : 0));
  if (end < payload.size()) {
    out += "...";
  }
  return out;
}

}  // namespace cast::controller
