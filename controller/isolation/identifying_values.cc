#include "controller/isolation/identifying_values.h"

namespace cast::controller {

std::string_view to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::user_id: return "user_id";
    case ValueKind::email: return "email";
    case ValueKind::display_name: return "display_name";
    case ValueKind::agent_id: return "agent_id";
    case ValueKind::request_id: return "request_id";
  }
  return "value";
}

void IdentifyingValues::Builder::add(std::string_view value, std::uint32_t owner, ValueKind kind) {
  if (value.empty()) {
    return;
  }
  auto mode = kind == ValueKind::request_id ? MatchMode::numbered_token : MatchMode::whole_token;
  patterns_.add(value, owners_.size(), mode);
  owners_.push_back(ValueMatch{0, 0, owner, kind});
}

IdentifyingValues IdentifyingValues::Builder::build() {
  IdentifyingValues values(patterns_.build(), std::move(owners_));
  owners_.clear();
  return values;
}

void IdentifyingValues::find_all(std::string_view text, std::vector<MultiPatternMatcher::Match>& scratch,
                                 std::vector<ValueMatch>& out) const {
  scratch.clear();
  matcher_.find_all(text, scratch);
  for (const auto& match : scratch) {
    const ValueMatch& value = owners_[match.id];
    out.push_back(ValueMatch{match.offset, match.length, value.owner, value.kind});
  }
}

}  // namespace cast::controller
