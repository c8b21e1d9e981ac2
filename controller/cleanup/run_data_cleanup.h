#pragma once

// Step 7 of a run: delete exactly this run's rows and keys from the
// platform's stores, selected by run id, and never anything else. Skipped
// with --keep-data.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "controller/config/persistence_layout.h"
#include "controller/environment/environment.h"

namespace cast::controller {

struct CleanupScope {
  std::string run_id;  // must pass is_safe_run_id
  std::string redis_prefix{"cast"};
  ServiceUrls stores;  // an empty URL skips that store
  // Keys the validator found naming the run outside its prefix
  // (PersistenceReport::keys_outside_prefix); any that do not name the run
  // are refused, not deleted.
  std::vector<std::string> keys_outside_prefix;
  std::chrono::milliseconds mutation_deadline{60'000};  // ClickHouse deletes run in the background
  std::size_t unlink_batch{500};                        // keys per UNLINK
};

struct CleanupCounts {
  std::uint64_t postgres_rows{0};         // rows deleted by all cleanup statements
  std::uint64_t redis_keys{0};            // keys unlinked
  std::uint64_t clickhouse_rows{0};       // rows the delete mutations matched
  bool clickhouse_settled{true};          // every mutation finished before the deadline
  std::vector<std::string> errors;        // one per store that failed, naming it and its URL
  std::vector<std::string> refused_keys;  // passed in but not this run's
};

// Each store is cleaned independently: one that fails is named in `errors`
// and the others are still cleaned. Throws std::invalid_argument for an
// unsafe run id, ConfigError for an inconsistent layout.
class RunDataCleanup {
 public:
  RunDataCleanup(CleanupScope scope, PersistenceLayout layout = {});

  CleanupCounts run() const;

 private:
  std::uint64_t clean_postgres() const;
  std::uint64_t clean_redis(CleanupCounts& counts) const;
  std::uint64_t clean_clickhouse(CleanupCounts& counts) const;

  CleanupScope scope_;
  PersistenceLayout layout_;
};

}  // namespace cast::controller
