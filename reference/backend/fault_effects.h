#pragma once

// The shared state some fault modes need in order to misbehave: each is a
// deliberate cross-user channel, guarded by a mutex so that the leak is a
// logical one and never a C++ data race.

#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

namespace cast::reference {

// shared_context: the one process-wide "current context".
class SharedContextSlot {
 public:
  void put(nlohmann::json context);
  nlohmann::json take() const;

 private:
  mutable std::mutex mutex_;
  nlohmann::json context_ = nlohmann::json::object();
};

// unscoped_cache: replies keyed by message content alone.
class ContentReplyCache {
 public:
  // The cached reply for `content`, or the one `make` builds, cached from now on.
  std::string remember(const std::string& content, const std::function<std::string()>& make);

 private:
  static constexpr std::size_t kMaxEntries = 10'000;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> replies_;
};

// header_leak: who called the backend before the current caller.
class PreviousCaller {
 public:
  // "user_id email" of the last caller other than `user_id` (empty when
  // there was none yet); `user_id` and `email` become the last caller.
  std::string swap(const std::string& user_id, const std::string& email);

 private:
  std::mutex mutex_;
  std::string user_id_;
  std::string email_;
};

// wrong_owner_row and metrics_misattributed: someone who started an agent lately.
class RecentUsers {
 public:
  void note(const std::string& user_id);
  // A recent user other than `user_id`; `user_id` itself when there is none.
  std::string other_than(const std::string& user_id, const std::function<std::size_t(std::size_t)>& pick) const;

 private:
  static constexpr std::size_t kRemembered = 64;
  mutable std::mutex mutex_;
  std::deque<std::string> users_;
};

}  // namespace cast::reference
