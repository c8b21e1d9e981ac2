#include "controller/cleanup/run_data_cleanup.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "common/protocol/key_pattern.h"
#include "controller/plan/population.h"
#include "controller/validators/redis_key_census.h"
#include "controller/validators/store_access.h"

namespace cast::controller {
namespace {

std::uint64_t unlink_all(RedisSession& redis, const std::vector<std::string>& keys, std::size_t batch) {
  batch = std::max<std::size_t>(batch, 1);
  std::uint64_t removed = 0;
  for (std::size_t at = 0; at < keys.size(); at += batch) {
    const auto first = keys.begin() + static_cast<std::ptrdiff_t>(at);
    std::vector<std::string> command{"UNLINK"};
    command.insert(command.end(), first, first + static_cast<std::ptrdiff_t>(std::min(batch, keys.size() - at)));
    removed += static_cast<std::uint64_t>(redis.command(command).integer);
  }
  return removed;
}

template <typename Clean>
void guarded(CleanupCounts& counts, std::uint64_t& into, Clean&& clean) {
  try {
    into = clean();
  } catch (const std::exception& error) {
    counts.errors.emplace_back(error.what());
  }
}

}  // namespace

RunDataCleanup::RunDataCleanup(CleanupScope scope, PersistenceLayout layout)
    : scope_(std::move(scope)), layout_(std::move(layout)) {
  if (!is_safe_run_id(scope_.run_id)) {
    throw std::invalid_argument("cleanup: unsafe run id '" + scope_.run_id + "' (want [a-z0-9-], 1-64)");
  }
  check_persistence_layout(layout_, "persistence");
}

CleanupCounts RunDataCleanup::run() const {
  CleanupCounts counts;
  if (!scope_.stores.postgres.empty()) {
    guarded(counts, counts.postgres_rows, [&] { return clean_postgres(); });
  }
  if (!scope_.stores.redis.empty()) {
    guarded(counts, counts.redis_keys, [&] { return clean_redis(counts); });
  }
  if (!scope_.stores.clickhouse.empty()) {
    guarded(counts, counts.clickhouse_rows, [&] { return clean_clickhouse(counts); });
  }
  return counts;
}

std::uint64_t RunDataCleanup::clean_postgres() const {
  const auto affected = postgres_execute(scope_.stores.postgres, layout_.postgres.cleanup_statements, {scope_.run_id});
  return std::accumulate(affected.begin(), affected.end(), std::uint64_t{0});
}

std::uint64_t RunDataCleanup::clean_redis(CleanupCounts& counts) const {
  RedisSession redis{scope_.stores.redis};
  const auto scope = KeyPattern{layout_.redis.run_keys}.bound(scope_.redis_prefix, scope_.run_id).literal_head();
  auto keys = redis.scan(run_keys_glob(layout_.redis, scope_.redis_prefix, scope_.run_id));
  for (const auto& key : scope_.keys_outside_prefix) {
    // The prefix scan already has keys inside the scope; anything else must
    // name this run, or it is somebody else's and stays.
    if (key.starts_with(scope)) {
      continue;
    }
    if (key_names_run(key, scope_.run_id)) {
      keys.push_back(key);
    } else {
      counts.refused_keys.push_back(key);
    }
  }
  return unlink_all(redis, keys, scope_.unlink_batch);
}

}  // namespace cast::controller
