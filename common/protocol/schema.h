#pragma once

#include <string>
#include <vector>

// The persistence layout of the agent session protocol (v1). Both the
// reference platform (which owns it) and the embedded environment (which
// prepares fresh servers) create it, idempotently.
namespace cast::schema {

// Statements for PostgreSQL, each safe to run again.
const std::vector<std::string>& postgres_statements();

// Statements for ClickHouse 18.16 over HTTP, each safe to run again.
// `database` is created first and every table is qualified with it.
std::vector<std::string> clickhouse_statements(const std::string& database);

// Redis key layout, `{prefix}:{run_id}:user:{user_id}:...`.
std::string redis_agent_key(const std::string& prefix, const std::string& run_id, const std::string& user_id,
                            const std::string& agent_id);
std::string redis_user_agents_key(const std::string& prefix, const std::string& run_id, const std::string& user_id);

}  // namespace cast::schema
