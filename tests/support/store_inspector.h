#pragma once

// Direct reads of the three stores, for tests that check what a platform
// really wrote. Blocking, small, and independent of the platform's code.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cast::test {

using Row = std::map<std::string, std::string>;

// Runs `sql` with parameters $1..$n; every value as text (NULL as "").
std::vector<Row> pg_query(const std::string& url, const std::string& sql, const std::vector<std::string>& params = {});

// SCAN MATCH `pattern` (never KEYS).
std::vector<std::string> redis_scan(const std::string& url, const std::string& pattern);
// One Redis command, for seeding; throws on an error reply.
void redis_run(const std::string& url, const std::vector<std::string>& args);
std::map<std::string, std::string> redis_hgetall(const std::string& url, const std::string& key);
std::vector<std::string> redis_smembers(const std::string& url, const std::string& key);

// ClickHouse over HTTP; rows of `SELECT ... FORMAT JSONEachRow` as JSON objects.
std::vector<nlohmann::json> clickhouse_rows(const std::string& url, const std::string& select_sql);

// Whole-store snapshots for "nothing else was touched" checks: every row of
// both PostgreSQL tables as text in a fixed order; every Redis key with its
// serialised value (DUMP) and whether it has a TTL; every ClickHouse metric
// row matching `where`.
std::string postgres_dump(const std::string& url);
std::map<std::string, std::string> redis_dump(const std::string& url);
std::string clickhouse_dump(const std::string& url, const std::string& where = "1");

}  // namespace cast::test
