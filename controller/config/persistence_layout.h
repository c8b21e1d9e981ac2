#pragma once

// Where a platform keeps a run's data and how to tell whose it is. The
// defaults are protocol.md's layout; the YAML `persistence:` section re-maps
// it for other platforms. Part of the run's configuration (RunConfig holds
// it parsed); the validators and the cleanup read it. Includes nothing of
// the validators, so config and validators do not include each other.

#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace cast::controller {

struct PostgresLayout {
  // $1 is the run id. Columns `agent_id` and `user_id` are required; every
  // other column is content, searched for other users' data.
  std::string agents_query{"SELECT agent_id, user_id, state::text AS state FROM agents WHERE run_id = $1"};
  std::string messages_query{"SELECT agent_id, user_id, content FROM agent_messages WHERE run_id = $1"};
  // Run in one transaction by the cleanup, $1 the run id; children first.
  std::vector<std::string> cleanup_statements{"DELETE FROM agent_messages WHERE run_id = $1",
                                              "DELETE FROM agents WHERE run_id = $1"};
};

struct RedisLayout {
  // Placeholders {prefix}, {run_id}, {user_id}, {agent_id}. Every key of a
  // run starts with `run_keys`; a key under it that fits neither layout
  // below is unscoped.
  std::string run_keys{"{prefix}:{run_id}:"};
  std::string agent_key{"{prefix}:{run_id}:user:{user_id}:agent:{agent_id}"};  // hash
  std::string user_agents_key{"{prefix}:{run_id}:user:{user_id}:agents"};      // set of agent ids
  // Keys outside `run_keys` that grew during the run are a finding; turn off
  // on a Redis that other writers share during the run.
  bool count_keys_outside{true};
};

struct ClickHouseLayout {
  // {run_id} becomes a quoted string literal. Columns `user_id`, `agent_id`.
  std::string metrics_query{"SELECT user_id, agent_id FROM agent_startup_metrics WHERE run_id = {run_id}"};
  // Tables whose rows `WHERE run_id = ...` the cleanup deletes.
  std::vector<std::string> cleanup_tables{"agent_startup_metrics"};
};

struct PersistenceLayout {
  PostgresLayout postgres;
  RedisLayout redis;
  ClickHouseLayout clickhouse;
};

// Reads the `persistence:` map (keys postgres/redis/clickhouse, each with the
// fields above; absent ones keep their default). Throws ConfigError naming
// `source`, the line and the key: unknown keys, wrong shapes, patterns
// without the placeholders they need, queries without the run id.
PersistenceLayout read_persistence_layout(const YAML::Node& node, const std::string& source = "persistence");

// The layout's own consistency, as read_persistence_layout checks it.
void check_persistence_layout(const PersistenceLayout& layout, const std::string& source);

}  // namespace cast::controller
