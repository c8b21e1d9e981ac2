#include "reference/store/memory_context_cache.h"

#include <algorithm>

#include "reference/store/context_hash.h"
#include "reference/store/in_flight.h"

namespace cast::reference {

MemoryContextCache::MemoryContextCache(int pool_size) {
  const int size = std::max(pool_size, 1);
  for (int i = 0; i < size; ++i) {
    connections_.push_back(std::make_unique<SimulatedConnection>());
    idle_.push_back(connections_.back().get());
  }
}

void MemoryContextCache::put_context(const std::string& context_key, const std::string& user_agents_key,
                                     const std::string& agent_id, const nlohmann::json& context) {
  const auto fields = context_to_hash(context);
  std::lock_guard lock(data_mutex_);
  auto& hash = hashes_[context_key];
  for (const auto& [name, value] : fields) {
    hash[name] = value;
  }
  sets_[user_agents_key].insert(agent_id);
}

std::optional<nlohmann::json> MemoryContextCache::read_context(const ContextRead& read) {
  auto& connection = acquire();
  // The server answers as soon as the command arrives; the reply then waits
  // on the connection until somebody reads it.
  send(connection, execute_hgetall(read.key));
  bool gone = false;
  try {
    gone = hold_in_flight(read);
  } catch (...) {
    // Only the fault may leave a reply behind; a failing client_gone must not.
    receive(connection);
    release(connection);
    throw;
  }
  if (gone && read.abandon_reply_if_gone) {
    release(connection);
    return std::nullopt;
  }
  auto reply = receive(connection);
  release(connection);
  if (gone) {
    return std::nullopt;
  }
  return reply;
}

std::set<std::string> MemoryContextCache::agents_in(const std::string& user_agents_key) const {
  std::lock_guard lock(data_mutex_);
  const auto found = sets_.find(user_agents_key);
  return found == sets_.end() ? std::set<std::string>{} : found->second;
}

std::size_t MemoryContextCache::unread_replies() const {
  std::lock_guard lock(pool_mutex_);
  std::size_t total = 0;
  for (const auto& connection : connections_) {
    total += connection->unread.size();
  }
  return total;
}

MemoryContextCache::SimulatedConnection& MemoryContextCache::acquire() {
  std::unique_lock lock(pool_mutex_);
  pool_idle_.wait(lock, [this] { return !idle_.empty(); });
  auto* connection = idle_.back();
  idle_.pop_back();
  return *connection;
}

// Replies move under the pool lock so unread_replies() can count them safely.
void MemoryContextCache::send(SimulatedConnection& connection, std::optional<nlohmann::json> reply) {
  std::lock_guard lock(pool_mutex_);
  connection.unread.push_back(std::move(reply));
}

std::optional<nlohmann::json> MemoryContextCache::receive(SimulatedConnection& connection) {
  std::lock_guard lock(pool_mutex_);
  auto reply = std::move(connection.unread.front());
  connection.unread.pop_front();
  return reply;
}

void MemoryContextCache::release(SimulatedConnection& connection) {
  {
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(&connection);
  }
  pool_idle_.notify_one();
}

std::optional<nlohmann::json> MemoryContextCache::execute_hgetall(const std::string& key) const {
  std::lock_guard lock(data_mutex_);
  const auto found = hashes_.find(key);
  if (found == hashes_.end() || found->second.empty()) {
    return std::nullopt;
  }
  return hash_to_context(HashFields(found->second.begin(), found->second.end()));
}

}  // namespace cast::reference
