#include "reference/store/memory_agent_repository.h"

#include <stdexcept>

namespace cast::reference {

void MemoryAgentRepository::save_agent(const AgentRecord& agent) {
  std::lock_guard lock(mutex_);
  agents_[agent.agent_id] = agent;
}

std::optional<AgentRecord> MemoryAgentRepository::load_agent(const std::string& agent_id) {
  std::lock_guard lock(mutex_);
  const auto found = agents_.find(agent_id);
  if (found == agents_.end()) {
    return std::nullopt;
  }
  return found->second;
}

std::optional<AgentRecord> MemoryAgentRepository::merge_state(const std::string& agent_id,
                                                              const nlohmann::json& patch) {
  if (!patch.is_object()) {
    throw std::invalid_argument("state patch must be a JSON object");
  }
  std::lock_guard lock(mutex_);
  const auto found = agents_.find(agent_id);
  if (found == agents_.end()) {
    return std::nullopt;
  }
  // Shallow, like PostgreSQL's `jsonb || jsonb`: top-level keys are replaced whole.
  auto& state = found->second.state;
  if (!state.is_object()) {
    state = nlohmann::json::object();
  }
  for (const auto& [name, value] : patch.items()) {
    state[name] = value;
  }
  return found->second;
}

void MemoryAgentRepository::save_message(const MessageRecord& message) {
  std::lock_guard lock(mutex_);
  messages_.push_back(message);
}

std::vector<MessageRecord> MemoryAgentRepository::messages_of(const std::string& agent_id) const {
  std::lock_guard lock(mutex_);
  std::vector<MessageRecord> found;
  for (const auto& message : messages_) {
    if (message.agent_id == agent_id) {
      found.push_back(message);
    }
  }
  return found;
}

std::size_t MemoryAgentRepository::agent_count() const {
  std::lock_guard lock(mutex_);
  return agents_.size();
}

}  // namespace cast::reference
