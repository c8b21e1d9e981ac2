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
std::map<std::string, std::string> redis_hgetall(const std::string& url, const std::string& key);
std::vector<std::string> redis_smembers(const std::string& url, const std::string& key);

// ClickHouse over HTTP; rows of `SELECT ... FORMAT JSONEachRow` as JSON objects.
std::vector<nlohmann::json> clickhouse_rows(const std::string& url, const std::string& select_sql);

}  // namespace cast::test
