#pragma once

#include <mutex>
#include <unordered_map>
#include <vector>

#include "reference/store/stores.h"

namespace cast::reference {

// The agents and their messages in process memory, for runs without
// PostgreSQL. Thread-safe: the backend's store threads call it concurrently.
class MemoryAgentRepository : public AgentRepository {
 public:
  void save_agent(const AgentRecord& agent) override;
  std::optional<AgentRecord> load_agent(const std::string& agent_id) override;
  std::optional<AgentRecord> merge_state(const std::string& agent_id, const nlohmann::json& patch) override;
  void save_message(const MessageRecord& message) override;

  // Every message saved so far for `agent_id`, oldest first.
  std::vector<MessageRecord> messages_of(const std::string& agent_id) const;
  std::size_t agent_count() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, AgentRecord> agents_;
  std::vector<MessageRecord> messages_;
};

}  // namespace cast::reference
