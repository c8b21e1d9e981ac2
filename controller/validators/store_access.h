#pragma once

// Blocking reads and deletes against the platform's three stores, for the
// persistence phase and the cleanup after it. Control-plane traffic: one
// connection at a time, never on a measured path. hiredis and libpqxx stay
// out of this header.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct redisContext;

namespace cast::controller {

// A store that could not be reached or refused a statement. The message
// names the store, its URL (password shown as ***) and the step; cast maps
// it to exit code 3.
class StoreError : public std::runtime_error {
 public:
  StoreError(std::string store, const std::string& url, const std::string& step, const std::string& what);
  const std::string& store() const { return store_; }

 private:
  std::string store_;
};

// `url` with the password of its user info and any `password=` query value
// replaced by ***, for messages and logs.
std::string url_without_password(const std::string& url);

// One result row: (column name, value as text), in select order; NULL is "".
using StoreRow = std::vector<std::pair<std::string, std::string>>;

// PostgreSQL: `sql` with $1..$n bound to `params`.
std::vector<StoreRow> postgres_select(const std::string& url, const std::string& sql,
                                      const std::vector<std::string>& params);
// PostgreSQL: runs every statement in one transaction; rows affected by each.
std::vector<std::uint64_t> postgres_execute(const std::string& url, const std::vector<std::string>& statements,
                                            const std::vector<std::string>& params);

// ClickHouse over HTTP: the answer body of a 200, otherwise StoreError.
std::string clickhouse_query(const std::string& url, const std::string& sql);
// `select` with FORMAT JSONEachRow appended; every value as text.
std::vector<StoreRow> clickhouse_select(const std::string& url, const std::string& select);
// `text` as a ClickHouse string literal, quotes included.
std::string clickhouse_literal(std::string_view text);

// `text` with the glob characters of Redis MATCH patterns escaped.
std::string redis_glob_escape(std::string_view text);

struct RedisValue {
  enum class Kind { nil, text, integer, array, status };
  Kind kind{Kind::nil};
  std::string text;  // text and status
  long long integer{0};
  std::vector<RedisValue> items;
};

// One synchronous hiredis connection: AUTH and SELECT from the URL, a
// timeout on every call.
class RedisSession {
 public:
  explicit RedisSession(std::string url);
  ~RedisSession();
  RedisSession(const RedisSession&) = delete;
  RedisSession& operator=(const RedisSession&) = delete;

  RedisValue command(const std::vector<std::string>& args);
  // Every key matching `pattern`, through SCAN (never KEYS).
  std::vector<std::string> scan(const std::string& pattern);
  const std::string& url() const { return url_; }

 private:
  [[noreturn]] void fail(const std::string& step, const std::string& what) const;

  std::string url_;
  redisContext* context_{nullptr};
};

}  // namespace cast::controller
