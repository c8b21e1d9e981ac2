#include "controller/validators/foreign_data.h"

#include <algorithm>
#include <string>
#include <unordered_set>

namespace cast::controller {
namespace {

// One value per foreign owner is evidence enough; a row holding all of
// another user's profile would otherwise report it three times.
void keep_first_per_owner(std::vector<ForeignValue>& found) {
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  std::unordered_set<std::string> seen;
  std::erase_if(found, [&](const ForeignValue& value) {
    return !seen.insert(value.owner_index ? std::to_string(*value.owner_index) : value.what).second;
  });
}

// Stored data is free text (JSON state, message content), so a profile
// value counts wherever it appears, glued to other text or not.
MultiPatternMatcher profile_matcher(const std::vector<PlannedUser>& users) {
  MultiPatternMatcher::Builder builder;
  for (const auto& user : users) {
    builder.add(user.profile.email, 2 * user.index, MatchMode::substring);
    builder.add(user.profile.display_name, 2 * user.index + 1, MatchMode::substring);
  }
  return builder.build();
}

}  // namespace

ForeignDataScanner::ForeignDataScanner(const std::vector<PlannedUser>& users, std::string run_id, std::string run_key)
    : canaries_(std::move(run_id), std::move(run_key)), users_(users.size()), profiles_(profile_matcher(users)) {}

std::vector<ForeignValue> ForeignDataScanner::foreign_in(std::string_view text,
                                                         std::optional<std::size_t> owner) const {
  std::vector<ForeignValue> found;
  scan_canaries(text, owner, found);
  scan_profiles(text, owner, found);
  keep_first_per_owner(found);
  return found;
}

void ForeignDataScanner::scan_canaries(std::string_view text, std::optional<std::size_t> owner,
                                       std::vector<ForeignValue>& out) const {
  for (const auto& candidate : find_canary_candidates(text)) {
    if (!candidate.complete) {
      continue;  // a cut-off canary cannot be attributed; the wire detector reports those
    }
    const auto check = canaries_.verify(candidate.text);
    ForeignValue value{candidate.offset, candidate.text.size(), std::nullopt, ""};
    if (check.verdict == CanaryVerdict::valid && check.owner_index < users_) {
      if (owner == check.owner_index) {
        continue;
      }
      value.owner_index = static_cast<std::size_t>(check.owner_index);
      value.what = "canary";
    } else if (check.verdict == CanaryVerdict::wrong_run) {
      value.what = "canary of another run";
    } else {
      value.what = "forged canary";
    }
    out.push_back(std::move(value));
  }
}

void ForeignDataScanner::scan_profiles(std::string_view text, std::optional<std::size_t> owner,
                                       std::vector<ForeignValue>& out) const {
  for (const auto& match : profiles_.find_all(text)) {
    const auto index = match.id / 2;
    if (owner == index) {
      continue;
    }
    out.push_back(ForeignValue{match.offset, match.length, index, match.id % 2 == 0 ? "email" : "display name"});
  }
}

}  // namespace cast::controller
