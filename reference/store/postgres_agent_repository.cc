#include "reference/store/postgres_agent_repository.h"

#include <pqxx/pqxx>
#include <stdexcept>

#include "common/net/redacted_url.h"
#include "common/protocol/schema.h"

namespace cast::reference {

struct PgSession {
  explicit PgSession(const std::string& url) : connection(url) {}
  pqxx::connection connection;
};

namespace {

constexpr const char* columns = "agent_id, run_id, user_id, tenant_id, state::text";

// Serialises schema creation across processes sharing one server, since
// concurrent CREATE ... IF NOT EXISTS can still collide in the catalog.
constexpr long long schema_lock_key = 0x63617374;  // "cast"

void prepare_statements(pqxx::connection& connection) {
  connection.prepare("save_agent",
                     "INSERT INTO agents (agent_id, run_id, user_id, tenant_id, state)"
                     " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (agent_id) DO UPDATE SET"
                     " run_id = EXCLUDED.run_id, user_id = EXCLUDED.user_id,"
                     " tenant_id = EXCLUDED.tenant_id, state = EXCLUDED.state, created_at = now()");
  connection.prepare("load_agent", std::string("SELECT ") + columns + " FROM agents WHERE agent_id = $1");
  connection.prepare("merge_state", std::string("UPDATE agents SET state = state || $2::jsonb"
                                                " WHERE agent_id = $1 RETURNING ") +
                                        columns);
  connection.prepare("save_message",
                     "INSERT INTO agent_messages (agent_id, run_id, user_id, content) VALUES ($1, $2, $3, $4)");
}

AgentRecord to_record(const pqxx::row& row) {
  return AgentRecord{.agent_id = row[0].as<std::string>(),
                     .run_id = row[1].as<std::string>(),
                     .user_id = row[2].as<std::string>(),
                     .tenant_id = row[3].as<std::string>(),
                     .state = nlohmann::json::parse(row[4].as<std::string>())};
}

std::optional<AgentRecord> first_record(const pqxx::result& result) {
  if (result.empty()) {
    return std::nullopt;
  }
  return to_record(result[0]);
}

}  // namespace

template <typename Work>
auto PostgresAgentRepository::with_session(const char* statement, bool retry_on_loss, Work&& work) {
  for (int attempt = 1;; ++attempt) {
    auto session = pool_.acquire();
    try {
      return work(session->connection);
    } catch (const pqxx::broken_connection& error) {
      session.discard();
      if (!retry_on_loss || attempt > 1) {
        throw std::runtime_error("postgres store at " + shown_url_ + ": " + statement +
                                 ": connection lost: " + without_passwords_of(url_, error.what()));
      }
    } catch (const pqxx::in_doubt_error& error) {
      session.discard();
      throw std::runtime_error("postgres store at " + shown_url_ + ": " + statement +
                               ": commit outcome unknown: " + without_passwords_of(url_, error.what()));
    } catch (const std::exception& error) {
      throw std::runtime_error("postgres store at " + shown_url_ + ": " + statement + ": " +
                               without_passwords_of(url_, error.what()));
    }
  }
}

PostgresAgentRepository::PostgresAgentRepository(std::string url, int pool_size)
    : url_(std::move(url)),
      shown_url_(redacted_url(url_)),
      pool_(static_cast<std::size_t>(pool_size), [this] { return open_session(); }) {
  create_schema();
}

PostgresAgentRepository::~PostgresAgentRepository() = default;

std::unique_ptr<PgSession> PostgresAgentRepository::open_session() const {
  try {
    auto session = std::make_unique<PgSession>(url_);
    prepare_statements(session->connection);
    return session;
  } catch (const std::exception& error) {
    throw std::runtime_error("postgres store at " + shown_url_ +
                             ": cannot connect: " + without_passwords_of(url_, error.what()));
  }
}

void PostgresAgentRepository::create_schema() {
  with_session("create_schema", true, [](pqxx::connection& connection) {
    pqxx::work work(connection);
    work.exec("SELECT pg_advisory_xact_lock(" + std::to_string(schema_lock_key) + ")");
    for (const auto& statement : schema::postgres_statements()) {
      work.exec0(statement);
    }
    work.commit();
    return 0;
  });
}

void PostgresAgentRepository::save_agent(const AgentRecord& agent) {
  const auto state = agent.state.dump();
  with_session("save_agent", true, [&](pqxx::connection& connection) {
    pqxx::work work(connection);
    work.exec_prepared0("save_agent", agent.agent_id, agent.run_id, agent.user_id, agent.tenant_id, state);
    work.commit();
    return 0;
  });
}

std::optional<AgentRecord> PostgresAgentRepository::load_agent(const std::string& agent_id) {
  return with_session("load_agent", true, [&](pqxx::connection& connection) {
    pqxx::read_transaction work(connection);
    return first_record(work.exec_prepared("load_agent", agent_id));
  });
}

std::optional<AgentRecord> PostgresAgentRepository::merge_state(const std::string& agent_id,
                                                                const nlohmann::json& patch) {
  if (!patch.is_object()) {
    throw std::invalid_argument("state patch must be a JSON object");
  }
  const auto text = patch.dump();
  // A shallow merge applied twice gives the same state, so a retry is safe.
  return with_session("merge_state", true, [&](pqxx::connection& connection) {
    pqxx::work work(connection);
    auto merged = first_record(work.exec_prepared("merge_state", agent_id, text));
    work.commit();
    return merged;
  });
}

void PostgresAgentRepository::save_message(const MessageRecord& message) {
  // Not retried: a lost connection after the insert reached the server would duplicate it.
  with_session("save_message", false, [&](pqxx::connection& connection) {
    pqxx::work work(connection);
    work.exec_prepared0("save_message", message.agent_id, message.run_id, message.user_id, message.content);
    work.commit();
    return 0;
  });
}

}  // namespace cast::reference
