#include "common/net/http_client.h"
#include "common/net/url.h"
#include "common/protocol/schema.h"
#include "controller/environment/environment.h"

#include <hiredis/hiredis.h>
#include <pqxx/pqxx>

#include <memory>

namespace cast::controller {
namespace {

using namespace std::chrono_literals;

// The URL as it may appear in an error: without its password.
std::string shown(const std::string& url) {
  auto at = url.find('@');
  auto scheme_end = url.find("://");
  if (at == std::string::npos || scheme_end == std::string::npos) {
    return url;
  }
  auto colon = url.find(':', scheme_end + 3);
  return colon != std::string::npos && colon < at ? url.substr(0, colon) + ":***" + url.substr(at) : url;
}

void prepare_postgres(const std::string& url) {
  try {
    pqxx::connection connection(url);
    pqxx::nontransaction query(connection);
    for (const auto& statement : schema::postgres_statements()) {
      query.exec(statement);
    }
  } catch (const std::exception& error) {
    throw EnvironmentError("PostgreSQL at " + shown(url) + ": cannot create the schema: " + error.what());
  }
}

void check_redis(const std::string& url) {
  Url parsed = parse_url(url);
  std::unique_ptr<redisContext, decltype(&redisFree)> context(
      redisConnectWithTimeout(parsed.host.c_str(), parsed.port, timeval{5, 0}), &redisFree);
  if (!context || context->err) {
    throw EnvironmentError("Redis at " + shown(url) +
                           ": cannot connect: " + (context ? context->errstr : "out of memory"));
  }
  auto command = [&](const std::string& text) {
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(
        static_cast<redisReply*>(redisCommand(context.get(), text.c_str())), &freeReplyObject);
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
      throw EnvironmentError("Redis at " + shown(url) + ": " + text.substr(0, text.find(' ')) +
                             " failed: " + (reply ? std::string(reply->str, reply->len) : context->errstr));
    }
  };
  if (!parsed.password.empty()) {
    command(parsed.user.empty() ? "AUTH " + parsed.password : "AUTH " + parsed.user + " " + parsed.password);
  }
  if (parsed.path.size() > 1 && parsed.path != "/0") {
    command("SELECT " + parsed.path.substr(1));
  }
  command("PING");
}

void prepare_clickhouse(const std::string& url) {
  Url parsed = parse_url(url);
  auto database = parsed.query.contains("database") ? parsed.query.at("database") : std::string("cast");
  // Statements go to the server's root: the database may not exist yet.
  for (const auto& statement : schema::clickhouse_statements(database)) {
    HttpResponse answer;
    try {
      answer = http_post(parsed.origin() + "/", statement, 30s);
    } catch (const HttpError& error) {
      throw EnvironmentError("ClickHouse at " + shown(url) + ": " + error.what());
    }
    if (answer.status != 200) {
      throw EnvironmentError("ClickHouse at " + shown(url) + ": HTTP " + std::to_string(answer.status) + " to '" +
                             statement.substr(0, 60) + "...': " + answer.body);
    }
  }
}

}  // namespace

void prepare_schema(const ServiceUrls& urls) {
  if (!urls.postgres.empty()) {
    prepare_postgres(urls.postgres);
  }
  if (!urls.redis.empty()) {
    check_redis(urls.redis);
  }
  if (!urls.clickhouse.empty()) {
    prepare_clickhouse(urls.clickhouse);
  }
}

}  // namespace cast::controller
