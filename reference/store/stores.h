#pragma once

// The reference backend's three stores, as interfaces. Each has a real
// implementation (PostgreSQL, Redis, ClickHouse) and an in-memory one used
// when no URL is given. All calls block: the backend runs them on its store
// thread pool, never on an event loop thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace cast::reference {

struct AgentRecord {
  std::string agent_id{};
  std::string run_id{};
  std::string user_id{};
  std::string tenant_id{};
  nlohmann::json state = nlohmann::json::object();  // stored context + merged patches
};

struct MessageRecord {
  std::string agent_id{};
  std::string run_id{};
  std::string user_id{};
  std::string content{};
};

// PostgreSQL `agents` and `agent_messages`.
class AgentRepository {
 public:
  virtual ~AgentRepository() = default;
  // Inserts the row; an existing agent_id is overwritten (only the
  // id_collision fault ever produces one).
  virtual void save_agent(const AgentRecord& agent) = 0;
  virtual std::optional<AgentRecord> load_agent(const std::string& agent_id) = 0;
  // Shallow-merges `patch` into the state; nullopt when the agent is unknown.
  virtual std::optional<AgentRecord> merge_state(const std::string& agent_id, const nlohmann::json& patch) = 0;
  virtual void save_message(const MessageRecord& message) = 0;
};

// How a context read behaves when the client goes away mid-request.
struct ContextRead {
  std::string key{};
  // Polled after the command went out; true once the requesting client has gone.
  std::function<bool()> client_gone = [] { return false; };
  // How long the request stays in flight (simulated agent work) before the reply is read.
  std::chrono::milliseconds in_flight{0};
  // cancel_corruption: when the client is gone, hand the pooled connection
  // back with the reply still unread, so its next user reads it instead.
  bool abandon_reply_if_gone{false};
};

// Redis: the live context of each agent, as a hash, plus each user's set of agents.
class ContextCache {
 public:
  virtual ~ContextCache() = default;
  // Writes `context` as a hash under `context_key` and adds `agent_id` to `user_agents_key`.
  virtual void put_context(const std::string& context_key, const std::string& user_agents_key,
                           const std::string& agent_id, const nlohmann::json& context) = 0;
  // The reply the pooled connection reads: normally the hash under read.key,
  // as a JSON object (nullopt when absent); under cancel_corruption possibly
  // a stale reply meant for someone else.
  virtual std::optional<nlohmann::json> read_context(const ContextRead& read) = 0;
};

struct StartupMetric {
  std::string run_id{};
  std::string user_id{};
  std::string agent_id{};
  double startup_ms{0};
  std::chrono::system_clock::time_point ts{};
};

// What a metrics sink has done so far, for /metrics and tests.
struct MetricsSinkCounters {
  std::uint64_t rows_recorded{0};  // record() calls
  std::uint64_t rows_written{0};   // rows the store accepted
  std::uint64_t rows_lost{0};      // rows given up on after a retry
  std::uint64_t inserts_sent{0};   // insert requests made, retries included
};

// ClickHouse `agent_startup_metrics`, written in batches: record() only
// queues; a flusher sends when the batch is full or 200 ms have passed.
class StartupMetricsSink {
 public:
  virtual ~StartupMetricsSink() = default;
  virtual void record(StartupMetric metric) = 0;
  // Sends whatever is queued and waits for it (tests, shutdown).
  virtual void flush() = 0;
  virtual MetricsSinkCounters counters() const { return {}; }
};

struct StoreOptions {
  std::string postgres_url{};                    // empty: in memory
  std::string redis_url{};                       // empty: in memory
  std::string clickhouse_url{};                  // empty: in memory; e.g. http://127.0.0.1:8123/?database=cast
  int postgres_pool{50};                         // connections
  int redis_pool{16};                            // connections
  std::size_t metrics_batch{500};                // rows per insert
  std::chrono::milliseconds metrics_flush{200};  // longest a row waits
};

struct Stores {
  std::unique_ptr<AgentRepository> agents;
  std::unique_ptr<ContextCache> contexts;
  std::unique_ptr<StartupMetricsSink> metrics;
};

// Connects every configured store (creating the schema where missing);
// throws std::runtime_error naming the store and URL when one is unreachable.
Stores open_stores(const StoreOptions& options);

}  // namespace cast::reference
