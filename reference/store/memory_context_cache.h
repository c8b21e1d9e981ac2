#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "reference/store/stores.h"

namespace cast::reference {

// Live contexts in process memory, for runs without Redis. Reads go through
// a pool of simulated connections, each with a FIFO of replies not yet read,
// so cancel_corruption behaves exactly as it does on a real Redis
// connection: an abandoned reply is what the connection's next user reads.
class MemoryContextCache : public ContextCache {
 public:
  explicit MemoryContextCache(int pool_size = 16);  // connections

  void put_context(const std::string& context_key, const std::string& user_agents_key, const std::string& agent_id,
                   const nlohmann::json& context) override;
  std::optional<nlohmann::json> read_context(const ContextRead& read) override;

  // The members of a user's agent set (empty when there is none).
  std::set<std::string> agents_in(const std::string& user_agents_key) const;
  // Replies sent but never read, over every pooled connection.
  std::size_t unread_replies() const;

 private:
  struct SimulatedConnection {
    std::deque<std::optional<nlohmann::json>> unread;  // replies in arrival order
  };

  SimulatedConnection& acquire();
  void release(SimulatedConnection& connection);
  void send(SimulatedConnection& connection, std::optional<nlohmann::json> reply);
  std::optional<nlohmann::json> receive(SimulatedConnection& connection);
  std::optional<nlohmann::json> execute_hgetall(const std::string& key) const;

  mutable std::mutex data_mutex_;
  std::unordered_map<std::string, std::map<std::string, std::string>> hashes_;
  std::unordered_map<std::string, std::set<std::string>> sets_;

  mutable std::mutex pool_mutex_;
  std::condition_variable pool_idle_;
  std::vector<std::unique_ptr<SimulatedConnection>> connections_;
  std::vector<SimulatedConnection*> idle_;  // last released is reused first
};

}  // namespace cast::reference
