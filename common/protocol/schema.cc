#include "common/protocol/schema.h"

namespace cast::schema {

const std::vector<std::string>& postgres_statements() {
  static const std::vector<std::string> statements{
      "CREATE TABLE IF NOT EXISTS agents ("
      " agent_id text PRIMARY KEY, run_id text NOT NULL, user_id text NOT NULL,"
      " tenant_id text NOT NULL, state jsonb NOT NULL DEFAULT '{}'::jsonb,"
      " created_at timestamptz NOT NULL DEFAULT now())",
      "CREATE INDEX IF NOT EXISTS agents_run_user ON agents (run_id, user_id)",
      "CREATE TABLE IF NOT EXISTS agent_messages ("
      " agent_id text NOT NULL, run_id text NOT NULL, user_id text NOT NULL,"
      " content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
      "CREATE INDEX IF NOT EXISTS agent_messages_run_user ON agent_messages (run_id, user_id)",
  };
  return statements;
}

std::vector<std::string> clickhouse_statements(const std::string& database) {
  return {
      "CREATE DATABASE IF NOT EXISTS " + database,
      "CREATE TABLE IF NOT EXISTS " + database +
          ".agent_startup_metrics (run_id String, user_id String, agent_id String,"
          " startup_ms Float64, ts DateTime) ENGINE = MergeTree() ORDER BY (run_id, user_id)",
  };
}

std::string redis_agent_key(const std::string& prefix, const std::string& run_id, const std::string& user_id,
                            const std::string& agent_id) {
  return prefix + ":" + run_id + ":user:" + user_id + ":agent:" + agent_id;
}

std::string redis_user_agents_key(const std::string& prefix, const std::string& run_id, const std::string& user_id) {
  return prefix + ":" + run_id + ":user:" + user_id + ":agents";
}

}  // namespace cast::schema
