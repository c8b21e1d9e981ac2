#include "reference/backend/fault_effects.h"

#include <algorithm>
#include <vector>

namespace cast::reference {

void SharedContextSlot::put(nlohmann::json context) {
  std::lock_guard lock(mutex_);
  context_ = std::move(context);
}

nlohmann::json SharedContextSlot::take() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::string ContentReplyCache::remember(const std::string& content, const std::function<std::string()>& make) {
  std::lock_guard lock(mutex_);
  if (auto it = replies_.find(content); it != replies_.end()) {
    return it->second;
  }
  if (replies_.size() >= kMaxEntries) {
    replies_.clear();
  }
  return replies_.emplace(content, make()).first->second;
}

std::string PreviousCaller::swap(const std::string& user_id, const std::string& email) {
  std::lock_guard lock(mutex_);
  std::string previous = user_id_.empty() || user_id_ == user_id ? std::string{} : user_id_ + " " + email_;
  user_id_ = user_id;
  email_ = email;
  return previous;
}

void RecentUsers::note(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  if (std::find(users_.begin(), users_.end(), user_id) != users_.end()) {
    return;
  }
  users_.push_back(user_id);
  if (users_.size() > kRemembered) {
    users_.pop_front();
  }
}

std::string RecentUsers::other_than(const std::string& user_id,
                                    const std::function<std::size_t(std::size_t)>& pick) const {
  std::vector<std::string> others;
  {
    std::lock_guard lock(mutex_);
    std::copy_if(users_.begin(), users_.end(), std::back_inserter(others),
                 [&](const std::string& other) { return other != user_id; });
  }
  return others.empty() ? user_id : others[pick(others.size())];
}

}  // namespace cast::reference
