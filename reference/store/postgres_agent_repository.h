#pragma once

#include "reference/store/connection_pool.h"
#include "reference/store/stores.h"

namespace cast::reference {

// One libpqxx connection with this repository's statements prepared;
// defined in the .cc so that libpqxx stays out of this header.
struct PgSession;

// `agents` and `agent_messages` in PostgreSQL, through a bounded pool of
// connections opened on demand. A connection found broken is dropped and
// replaced on next use. Errors name the URL (without password) and the
// statement.
class PostgresAgentRepository : public AgentRepository {
 public:
  // Connects once to prove the server answers and creates the schema
  // (idempotent); throws std::runtime_error naming the URL otherwise.
  PostgresAgentRepository(std::string url, int pool_size);  // pool_size: connections
  ~PostgresAgentRepository() override;

  void save_agent(const AgentRecord& agent) override;
  std::optional<AgentRecord> load_agent(const std::string& agent_id) override;
  std::optional<AgentRecord> merge_state(const std::string& agent_id, const nlohmann::json& patch) override;
  void save_message(const MessageRecord& message) override;

  std::size_t open_connections() const { return pool_.open_count(); }

 private:
  std::unique_ptr<PgSession> open_session() const;
  void create_schema();
  // Runs `work` on a pooled session; `retry_on_loss` for statements that are
  // safe to run twice when a dead connection is discovered mid-call.
  template <typename Work>
  auto with_session(const char* statement, bool retry_on_loss, Work&& work);

  std::string url_;
  std::string shown_url_;  // url_ without password
  ConnectionPool<PgSession> pool_;
};

}  // namespace cast::reference
