#include "controller/validators/store_access.h"

#include "common/net/redacted_url.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>

#include "common/net/http_client.h"
#include "common/net/url.h"

namespace cast::controller {
namespace {

constexpr timeval redis_connect_timeout{5, 0};
constexpr timeval redis_io_timeout{30, 0};
constexpr std::chrono::milliseconds clickhouse_timeout{60'000};

RedisValue to_value(const redisReply& reply) {
  RedisValue value;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      value.kind = RedisValue::Kind::text;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      value.kind = RedisValue::Kind::status;
      value.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      value.kind = RedisValue::Kind::integer;
      value.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      value.kind = RedisValue::Kind::array;
      for (std::size_t i = 0; i < reply.elements; ++i) {
        value.items.push_back(to_value(*reply.element[i]));
      }
      break;
    default: break;
  }
  return value;
}

std::string value_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

StoreError::StoreError(std::string store, const std::string& url, const std::string& step, const std::string& what)
    : std::runtime_error(store + " at " + url_without_password(url) + ": " + step + ": " +
                         without_passwords_of(url, what)),
      store_(std::move(store)) {}

// Kept as the validators' name for it; the redaction itself lives in common/net.
std::string url_without_password(const std::string& url) { return redacted_url(url); }

std::vector<StoreRow> postgres_select(const std::string& url, const std::string& sql,
                                      const std::vector<std::string>& params) {
  try {
    pqxx::connection connection{url};
    pqxx::read_transaction transaction{connection};
    const auto result = transaction.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    std::vector<StoreRow> rows;
    rows.reserve(result.size());
    for (const auto& row : result) {
      StoreRow out;
      for (const auto& field : row) {
        out.emplace_back(field.name(), field.is_null() ? "" : field.c_str());
      }
      rows.push_back(std::move(out));
    }
    return rows;
  } catch (const std::exception& error) {
    throw StoreError("postgres", url, sql, error.what());
  }
}

std::vector<std::uint64_t> postgres_execute(const std::string& url, const std::vector<std::string>& statements,
                                            const std::vector<std::string>& params) {
  try {
    pqxx::connection connection{url};
    pqxx::work transaction{connection};
    std::vector<std::uint64_t> affected;
    for (const auto& statement : statements) {
      affected.push_back(
          transaction.exec_params(statement, pqxx::prepare::make_dynamic_params(params)).affected_rows());
    }
    transaction.commit();
    return affected;
  } catch (const std::exception& error) {
    throw StoreError("postgres", url, "cleanup", error.what());
  }
}

std::string clickhouse_query(const std::string& url, const std::string& sql) {
  HttpResponse response;
  try {
    response = http_post(url, sql, clickhouse_timeout);
  } catch (const std::exception& error) {
    throw StoreError("clickhouse", url, sql, error.what());
  }
  if (response.status != 200) {
    throw StoreError("clickhouse", url, sql, "HTTP " + std::to_string(response.status) + " " + response.body);
  }
  return response.body;
}

std::vector<StoreRow> clickhouse_select(const std::string& url, const std::string& select) {
  std::istringstream lines{clickhouse_query(url, select + " FORMAT JSONEachRow")};
  std::vector<StoreRow> rows;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) {
      continue;
    }
    const auto object = nlohmann::json::parse(line, nullptr, false);
    if (!object.is_object()) {
      throw StoreError("clickhouse", url, select, "not a JSONEachRow line: " + line.substr(0, 200));
    }
    StoreRow row;
    for (const auto& [name, value] : object.items()) {
      row.emplace_back(name, value_text(value));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string clickhouse_literal(std::string_view text) {
  std::string literal{"'"};
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      literal += '\\';
    }
    literal += c;
  }
  return literal + "'";
}

std::string redis_glob_escape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^') {
      escaped += '\\';
    }
    escaped += c;
  }
  return escaped;
}

RedisSession::RedisSession(std::string url) : url_(std::move(url)) {
  Url parsed;
  try {
    parsed = parse_url(url_);
  } catch (const std::exception& error) {
    fail("connect", error.what());
  }
  context_ = redisConnectWithTimeout(parsed.host.c_str(), parsed.port, redis_connect_timeout);
  // A constructor that throws runs no destructor: free the context here.
  auto discard_context = [this] {
    if (context_ != nullptr) {
      redisFree(context_);
      context_ = nullptr;
    }
  };
  if (context_ == nullptr || context_->err != 0) {
    std::string why = context_ != nullptr ? context_->errstr : "cannot allocate a hiredis context";
    discard_context();
    fail("connect", why);
  }
  try {
    redisSetTimeout(context_, redis_io_timeout);
    if (!parsed.password.empty()) {
      command(parsed.user.empty() ? std::vector<std::string>{"AUTH", parsed.password}
                                  : std::vector<std::string>{"AUTH", parsed.user, parsed.password});
    }
    if (parsed.path.size() > 1) {
      command({"SELECT", parsed.path.substr(1)});
    }
  } catch (...) {
    discard_context();
    throw;
  }
}

RedisSession::~RedisSession() {
  if (context_ != nullptr) {
    redisFree(context_);
  }
}

void RedisSession::fail(const std::string& step, const std::string& what) const {
  throw StoreError("redis", url_, step, what);
}

RedisValue RedisSession::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // AUTH arguments never reach a message.
  const auto step =
      args.front() == "AUTH" ? std::string{"AUTH"} : args.front() + (args.size() > 1 ? " " + args[1] : "");
  auto* raw =
      static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (raw == nullptr) {
    fail(step, context_->err != 0 ? context_->errstr : "no reply");
  }
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply{raw, &freeReplyObject};
  if (reply->type == REDIS_REPLY_ERROR) {
    fail(step, std::string(reply->str, reply->len));
  }
  return to_value(*reply);
}

std::vector<std::string> RedisSession::scan(const std::string& pattern) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto page = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (page.items.size() != 2) {
      fail("SCAN " + pattern, "unexpected reply shape");
    }
    cursor = page.items[0].text;
    for (auto& key : page.items[1].items) {
      keys.push_back(std::move(key.text));
    }
  } while (cursor != "0");
  // SCAN may return a key twice while the keyspace is being rehashed.
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace cast::controller
