#pragma once

// Reading a report name back into its enum, for every enum whose names only
// the reports carry (TestCaseId, FindingKind): the one `to_string` of each
// stays the only spelling, so parsing can never disagree with printing.

#include <optional>
#include <span>
#include <string_view>

namespace cast::controller {

// The value among `all` whose to_string is `name`; empty for any other text.
template <class Enum>
std::optional<Enum> parse_report_name(std::span<const Enum> all, std::string_view name) {
  for (auto value : all) {
    if (name == to_string(value)) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace cast::controller
