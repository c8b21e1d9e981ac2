#include "tests/support/store_inspector.h"

#include <hiredis/hiredis.h>

#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>

#include "common/net/http_client.h"
#include "common/net/url.h"

namespace cast::test {
namespace {

using RedisContext = std::unique_ptr<redisContext, decltype(&redisFree)>;
using RedisReply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

RedisContext redis_connect(const std::string& url) {
  auto parsed = parse_url(url);
  RedisContext ctx{redisConnect(parsed.host.c_str(), parsed.port), &redisFree};
  if (!ctx || ctx->err) throw std::runtime_error("Redis " + url + ": " + (ctx ? ctx->errstr : "out of memory"));
  return ctx;
}

RedisReply redis_call(redisContext* ctx, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* raw = redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
  if (!raw) throw std::runtime_error(std::string{"Redis "} + args.front() + ": " + ctx->errstr);
  return RedisReply{static_cast<redisReply*>(raw), &freeReplyObject};
}

std::vector<std::string> strings_of(const redisReply* reply) {
  std::vector<std::string> out;
  for (size_t i = 0; i < reply->elements; ++i) out.emplace_back(reply->element[i]->str, reply->element[i]->len);
  return out;
}

}  // namespace

std::vector<Row> pg_query(const std::string& url, const std::string& sql, const std::vector<std::string>& params) {
  pqxx::connection conn{url};
  pqxx::nontransaction tx{conn};
  auto result = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  std::vector<Row> rows;
  for (const auto& r : result) {
    Row row;
    for (const auto& field : r) row[field.name()] = field.is_null() ? "" : field.c_str();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> redis_scan(const std::string& url, const std::string& pattern) {
  auto ctx = redis_connect(url);
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    auto reply = redis_call(ctx.get(), {"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    cursor = std::string(reply->element[0]->str, reply->element[0]->len);
    for (auto& key : strings_of(reply->element[1])) keys.push_back(std::move(key));
  } while (cursor != "0");
  return keys;
}

void redis_run(const std::string& url, const std::vector<std::string>& args) {
  auto ctx = redis_connect(url);
  auto reply = redis_call(ctx.get(), args);
  if (reply->type == REDIS_REPLY_ERROR)
    throw std::runtime_error("Redis " + args.front() + ": " + std::string(reply->str, reply->len));
}

std::map<std::string, std::string> redis_hgetall(const std::string& url, const std::string& key) {
  auto ctx = redis_connect(url);
  auto items = strings_of(redis_call(ctx.get(), {"HGETALL", key}).get());
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < items.size(); i += 2) out[items[i]] = items[i + 1];
  return out;
}

std::vector<std::string> redis_smembers(const std::string& url, const std::string& key) {
  auto ctx = redis_connect(url);
  return strings_of(redis_call(ctx.get(), {"SMEMBERS", key}).get());
}

std::vector<nlohmann::json> clickhouse_rows(const std::string& url, const std::string& select_sql) {
  auto res = http_post(url, select_sql + " FORMAT JSONEachRow");
  if (res.status != 200)
    throw std::runtime_error("ClickHouse " + url + ": HTTP " + std::to_string(res.status) + " " + res.body);
  std::vector<nlohmann::json> rows;
  std::istringstream lines{res.body};
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

std::string postgres_dump(const std::string& url) {
  std::string dump;
  for (const char* sql : {"SELECT agent_id, run_id, user_id, tenant_id, state::text AS state, created_at::text AS at"
                          " FROM agents ORDER BY agent_id",
                          "SELECT agent_id, run_id, user_id, content, created_at::text AS at FROM agent_messages"
                          " ORDER BY agent_id, content, created_at"}) {
    for (const auto& row : pg_query(url, sql)) {
      for (const auto& [column, value] : row) dump += column + "=" + value + "\t";
      dump += "\n";
    }
  }
  return dump;
}

std::map<std::string, std::string> redis_dump(const std::string& url) {
  auto ctx = redis_connect(url);
  std::map<std::string, std::string> dump;
  for (const auto& key : redis_scan(url, "*")) {
    auto value = redis_call(ctx.get(), {"DUMP", key});
    auto ttl = redis_call(ctx.get(), {"PTTL", key});
    dump[key] = std::string(value->str ? value->str : "", value->len) +
                "|ttl=" + (ttl->integer < 0 ? std::to_string(ttl->integer) : "set");
  }
  return dump;
}

std::string clickhouse_dump(const std::string& url, const std::string& where) {
  auto res = http_post(url, "SELECT * FROM agent_startup_metrics WHERE " + where +
                                " ORDER BY run_id, user_id, agent_id FORMAT TabSeparated");
  if (res.status != 200)
    throw std::runtime_error("ClickHouse " + url + ": HTTP " + std::to_string(res.status) + " " + res.body);
  return res.body;
}

}  // namespace cast::test
