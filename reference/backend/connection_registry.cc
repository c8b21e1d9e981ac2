#include "reference/backend/connection.h"

namespace cast::reference {

std::uint64_t ConnectionRegistry::add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  auto id = next_id_++;
  connections_.emplace(id, connection);
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::shared_ptr<Connection> ConnectionRegistry::someone_else(
    const std::string& user_id, const std::function<std::size_t(std::size_t)>& pick) const {
  std::vector<std::shared_ptr<Connection>> others;
  for (auto& connection : everyone()) {
    if (connection->identity().user_id != user_id) {
      others.push_back(std::move(connection));
    }
  }
  return others.empty() ? nullptr : others[pick(others.size())];
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::everyone() const {
  std::vector<std::shared_ptr<Connection>> live;
  std::lock_guard lock(mutex_);
  live.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    if (auto connection = weak.lock(); connection && !connection->gone()) {
      live.push_back(std::move(connection));
    }
  }
  return live;
}

}  // namespace cast::reference
