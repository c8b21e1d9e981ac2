// ClickHouse 18.16 has no DELETE statement: a run's rows go with an
// `ALTER TABLE ... DELETE` mutation, which the server applies in the
// background. We wait for it so that "cleaned" means gone.

#include <chrono>
#include <thread>

#include "controller/cleanup/run_data_cleanup.h"
#include "controller/validators/store_access.h"

namespace cast::controller {
namespace {

constexpr std::chrono::milliseconds mutation_poll{100};

std::uint64_t count_of(const std::string& url, const std::string& select) {
  const auto answer = clickhouse_query(url, select);
  try {
    return std::stoull(answer);
  } catch (const std::exception&) {
    throw StoreError("clickhouse", url, select, "not a count: '" + answer.substr(0, 80) + "'");
  }
}

// `db.table` or `table` (in the URL's database) as a system.mutations filter.
std::string mutations_of(const std::string& table, const std::string& run_id) {
  const auto dot = table.find('.');
  const auto database =
      dot == std::string::npos ? std::string{"currentDatabase()"} : clickhouse_literal(table.substr(0, dot));
  const auto name = dot == std::string::npos ? table : table.substr(dot + 1);
  // The command text names the run id, so other runs' mutations never hold us up.
  return "SELECT count() FROM system.mutations WHERE database = " + database +
         " AND table = " + clickhouse_literal(name) + " AND is_done = 0 AND command LIKE " +
         clickhouse_literal("%" + run_id + "%");
}

bool wait_for_mutations(const std::string& url, const std::string& pending_query,
                        std::chrono::steady_clock::time_point deadline) {
  while (count_of(url, pending_query) > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(mutation_poll);
  }
  return true;
}

}  // namespace

std::uint64_t RunDataCleanup::clean_clickhouse(CleanupCounts& counts) const {
  const auto& url = scope_.stores.clickhouse;
  const auto run = clickhouse_literal(scope_.run_id);
  const auto deadline = std::chrono::steady_clock::now() + scope_.mutation_deadline;
  std::uint64_t rows = 0;
  for (const auto& table : layout_.clickhouse.cleanup_tables) {
    const auto matched = count_of(url, "SELECT count() FROM " + table + " WHERE run_id = " + run);
    if (matched == 0) {
      continue;  // a mutation rewrites parts; none is needed for nothing
    }
    clickhouse_query(url, "ALTER TABLE " + table + " DELETE WHERE run_id = " + run);
    rows += matched;
    if (!wait_for_mutations(url, mutations_of(table, scope_.run_id), deadline)) {
      counts.clickhouse_settled = false;
      counts.errors.push_back("clickhouse at " + url_without_password(url) + ": the delete of run " + scope_.run_id +
                              " from " + table + " had not finished after " +
                              std::to_string(scope_.mutation_deadline.count()) + " ms; it goes on in the background");
    }
  }
  return rows;
}

}  // namespace cast::controller
