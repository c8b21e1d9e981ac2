#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/text/multi_pattern_matcher.h"

namespace cast::controller {

// What an identifying value is; decides the finding's kind and how a match
// must be delimited.
enum class ValueKind : std::uint8_t { user_id, email, display_name, agent_id, request_id };

std::string_view to_string(ValueKind kind);

struct ValueMatch {
  std::size_t offset{0};  // bytes into the scanned text
  std::size_t length{0};  // a request id includes its sequence digits
  std::uint32_t owner{0};
  ValueKind kind{ValueKind::user_id};
};

// Every user's identifying values in one matcher: one pass over a payload
// whatever the number of users, never a search per user. Only whole tokens
// count (`u-000001` is not found in `u-0000012`, `agent-1` not in
// `agent-17`); a request id is its user's prefix (`u-000042-r`) followed by
// at least one digit. Read-only once built, so threads may share it.
class IdentifyingValues {
 public:
  class Builder {
   public:
    // Empty values are ignored.
    void add(std::string_view value, std::uint32_t owner, ValueKind kind);
    IdentifyingValues build();

   private:
    MultiPatternMatcher::Builder patterns_;
    std::vector<ValueMatch> owners_;  // by pattern id; offset and length unused
  };

  IdentifyingValues() = default;

  // Appends every match, ordered by where it ends; `scratch` is reused
  // from call to call so a scan allocates nothing per payload.
  void find_all(std::string_view text, std::vector<MultiPatternMatcher::Match>& scratch,
                std::vector<ValueMatch>& out) const;

  std::size_t value_count() const { return matcher_.pattern_count(); }

 private:
  IdentifyingValues(MultiPatternMatcher matcher, std::vector<ValueMatch> owners)
      : matcher_(std::move(matcher)), owners_(std::move(owners)) {}

  MultiPatternMatcher matcher_;
  std::vector<ValueMatch> owners_;
};

}  // namespace cast::controller
