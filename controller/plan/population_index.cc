#include "controller/plan/population_index.h"

namespace cast::controller {

PopulationIndex::PopulationIndex(const std::vector<PlannedUser>& users) : size_(users.size()) {
  for (const PlannedUser& user : users) {
    user_ids_.emplace(user.user_id, user.index);
    emails_.emplace(user.profile.email, user.index);
    display_names_.emplace(user.profile.display_name, user.index);
    request_prefixes_.emplace(user.request_id_prefix, user.index);
  }
}

std::optional<std::size_t> PopulationIndex::find(const Table& table, std::string_view key) {
  auto it = table.find(key);
  if (it == table.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::size_t> PopulationIndex::by_user_id(std::string_view user_id) const {
  return find(user_ids_, user_id);
}

std::optional<std::size_t> PopulationIndex::by_email(std::string_view email) const { return find(emails_, email); }

std::optional<std::size_t> PopulationIndex::by_display_name(std::string_view display_name) const {
  return find(display_names_, display_name);
}

std::optional<std::size_t> PopulationIndex::owner_of_request_id(std::string_view request_id) const {
  std::size_t digits = 0;
  while (digits < request_id.size() && request_id[request_id.size() - 1 - digits] >= '0' &&
         request_id[request_id.size() - 1 - digits] <= '9') {
    ++digits;
  }
  if (digits == 0 || digits == request_id.size()) {
    return std::nullopt;
  }
  return find(request_prefixes_, request_id.substr(0, request_id.size() - digits));
}

}  // namespace cast::controller
