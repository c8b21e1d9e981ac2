#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/identity/canary.h"
#include "common/text/multi_pattern_matcher.h"
#include "controller/plan/population.h"

namespace cast::controller {

// A value in stored data that belongs to someone other than the data's owner.
struct ForeignValue {
  std::size_t offset{0};  // bytes into the scanned text
  std::size_t length{0};
  std::optional<std::size_t> owner_index;  // nullopt: a forged canary or one of another run
  std::string what;  // "canary", "email", "display name", "forged canary", "canary of another run"
};

// Finds, in one linear pass, the canaries, emails and display names of a
// run's users inside a piece of stored data, and keeps those that are not
// the expected owner's. Canaries are attributed by their HMAC, not by a
// list, so a forged or mangled one is reported as such.
class ForeignDataScanner {
 public:
  ForeignDataScanner(const std::vector<PlannedUser>& users, std::string run_id, std::string run_key);

  // Everything in `text` that is not `owner`'s; with no owner, every user's
  // value counts as foreign. At most one value per foreign owner (and one
  // per kind of unattributable canary), first occurrence first.
  std::vector<ForeignValue> foreign_in(std::string_view text, std::optional<std::size_t> owner) const;

 private:
  void scan_canaries(std::string_view text, std::optional<std::size_t> owner, std::vector<ForeignValue>& out) const;
  void scan_profiles(std::string_view text, std::optional<std::size_t> owner, std::vector<ForeignValue>& out) const;

  CanaryAuthority canaries_;
  std::size_t users_{0};
  MultiPatternMatcher profiles_;  // id = 2 * index (+1 for the display name)
};

}  // namespace cast::controller
