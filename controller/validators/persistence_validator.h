#pragma once

// Phase 6 of a run: read exactly this run's rows and keys in PostgreSQL,
// Redis and ClickHouse and check that each belongs to the user who started
// the agent, carries nobody else's data, and sits where the layout says.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/analysis/verdict.h"
#include "controller/config/persistence_layout.h"
#include "controller/environment/environment.h"
#include "controller/plan/population.h"
#include "controller/validators/redis_key_census.h"

namespace cast::controller {

// What the workers saw: the ground truth the stores are checked against.
struct HarnessView {
  std::unordered_map<std::string, std::size_t> agent_starter;  // agent id -> index of the user it was started for
  std::vector<std::size_t> agents_started;                     // per user index: agent_started answers it got
};

struct PersistenceScope {
  std::string run_id;   // must pass is_safe_run_id
  std::string run_key;  // the canaries' HMAC key, raw bytes
  std::string redis_prefix{"cast"};
  ServiceUrls stores;                          // an empty URL skips that store
  std::optional<RedisKeyCensus> redis_before;  // taken at run start; none = no outside-key count
  // Platforms write metrics in batches: wait up to this long for as many
  // rows as agents started before judging the counts.
  std::chrono::milliseconds metrics_settle{5'000};
  double t_s{0};  // stamped on findings: seconds since the run started
};

struct PersistenceReport {
  std::vector<Finding> findings;  // test case state_persistence
  // Keys that carry the run id outside its prefix: the cleanup removes them too.
  std::vector<std::string> keys_outside_prefix;
  std::size_t postgres_rows{0};  // agents and messages read
  std::size_t redis_keys{0};     // keys under the run's prefix
  std::size_t clickhouse_rows{0};
  std::optional<RedisKeyCensus> redis_after;
};

// Throws StoreError (see store_access.h) naming the store and its URL when
// one cannot be reached or refuses a query; std::invalid_argument for an
// unsafe run id; ConfigError for an inconsistent layout.
PersistenceReport validate_persistence(const std::vector<PlannedUser>& users, const HarnessView& harness,
                                       const PersistenceScope& scope, const PersistenceLayout& layout = {});

}  // namespace cast::controller
