#pragma once

// A run's persisted data written straight into real PostgreSQL, Redis and
// ClickHouse, as protocol.md lays it out, with knobs for each kind of
// defect. Shared by the validator and cleanup tests; writes with libpqxx,
// hiredis and HTTP directly, never through the code under test.

#include <hiredis/hiredis.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/net/http_client.h"
#include "common/net/url.h"
#include "controller/environment/environment.h"
#include "controller/plan/population.h"
#include "controller/validators/persistence_validator.h"

namespace cast::test {

using namespace cast::controller;  // the code these tests exercise

// One agent as the stores hold it. Empty users mean "not written there".
struct SeedAgent {
  std::string agent_id;
  std::size_t starter{0};   // index of the user the harness saw start it
  std::string row_user;     // agents.user_id and agent_messages.user_id
  std::string key_user;     // the user named in the Redis key path
  std::string metric_user;  // agent_startup_metrics.user_id
  std::string foreign;      // extra text in the state, the context hash and the message
};

inline void redis_write(const std::string& url, const std::vector<std::string>& args) {
  const auto parsed = parse_url(url);
  std::unique_ptr<redisContext, decltype(&redisFree)> context{redisConnect(parsed.host.c_str(), parsed.port),
                                                              &redisFree};
  if (!context || context->err != 0) {
    throw std::runtime_error("seed: redis " + url + " unreachable");
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()));
  const bool failed = reply == nullptr || reply->type == REDIS_REPLY_ERROR;
  freeReplyObject(reply);
  if (failed) {
    throw std::runtime_error("seed: redis " + args.front() + " failed");
  }
}

inline void clickhouse_write(const std::string& url, const std::string& sql) {
  const auto answer = http_post(url, sql);
  if (answer.status != 200) {
    throw std::runtime_error("seed: clickhouse " + sql.substr(0, 60) + ": " + answer.body);
  }
}

class SeededRun {
 public:
  SeededRun(const ServiceUrls& stores, std::string run_id, std::size_t users, std::string prefix = "cast")
      : stores_(stores), run_id_(std::move(run_id)), prefix_(std::move(prefix)) {
    PopulationSpec spec;
    spec.run_id = run_id_;
    spec.run_key = std::string(32, '\x5a');
    spec.users = users;
    users_ = plan_population(spec);
    key_ = spec.run_key;
  }

  // One well-behaved agent per user.
  std::vector<SeedAgent> clean_agents() const {
    std::vector<SeedAgent> agents;
    for (const auto& user : users_) {
      agents.push_back(
          {run_id_ + "-agent-" + std::to_string(user.index), user.index, user.user_id, user.user_id, user.user_id, ""});
    }
    return agents;
  }

  void write(const std::vector<SeedAgent>& agents) const {
    for (const auto& agent : agents) {
      write_postgres(agent);
      write_redis(agent);
    }
    write_metrics(agents);
  }

  HarnessView harness(const std::vector<SeedAgent>& agents) const {
    HarnessView view;
    view.agents_started.assign(users_.size(), 0);
    for (const auto& agent : agents) {
      view.agent_starter[agent.agent_id] = agent.starter;
      ++view.agents_started[agent.starter];
    }
    return view;
  }

  PersistenceScope scope() const {
    PersistenceScope scope;
    scope.run_id = run_id_;
    scope.run_key = key_;
    scope.redis_prefix = prefix_;
    scope.stores = stores_;
    scope.metrics_settle = std::chrono::milliseconds{300};  // the seed writes synchronously
    return scope;
  }

  const std::vector<PlannedUser>& users() const { return users_; }
  const std::string& run_id() const { return run_id_; }
  const std::string& prefix() const { return prefix_; }

 private:
  nlohmann::json context_of(const SeedAgent& agent) const {
    const auto& user = users_[agent.starter];
    return {{"canary", user.canary},
            {"email", user.profile.email},
            {"display_name", user.profile.display_name},
            {"note", agent.foreign}};
  }

  void write_postgres(const SeedAgent& agent) const {
    if (agent.row_user.empty()) {
      return;
    }
    pqxx::connection connection{stores_.postgres};
    pqxx::work work{connection};
    work.exec_params(
        "INSERT INTO agents (agent_id, run_id, user_id, tenant_id, state) VALUES ($1, $2, $3, $4, $5::jsonb)",
        agent.agent_id, run_id_, agent.row_user, users_[agent.starter].tenant_id, context_of(agent).dump());
    work.exec_params("INSERT INTO agent_messages (agent_id, run_id, user_id, content) VALUES ($1, $2, $3, $4)",
                     agent.agent_id, run_id_, agent.row_user,
                     "hello from " + users_[agent.starter].canary + agent.foreign);
    work.commit();
  }

  void write_redis(const SeedAgent& agent) const {
    if (agent.key_user.empty()) {
      return;
    }
    std::vector<std::string> hset{"HSET",
                                  prefix_ + ":" + run_id_ + ":user:" + agent.key_user + ":agent:" + agent.agent_id};
    const auto context = context_of(agent);
    for (const auto& [name, value] : context.items()) {
      hset.push_back(name);
      hset.push_back(value.get<std::string>());
    }
    redis_write(stores_.redis, hset);
    redis_write(stores_.redis,
                {"SADD", prefix_ + ":" + run_id_ + ":user:" + agent.key_user + ":agents", agent.agent_id});
  }

  void write_metrics(const std::vector<SeedAgent>& agents) const {
    std::string body = "INSERT INTO agent_startup_metrics FORMAT JSONEachRow\n";
    bool any = false;
    for (const auto& agent : agents) {
      if (!agent.metric_user.empty()) {
        body += nlohmann::json{{"run_id", run_id_},
                               {"user_id", agent.metric_user},
                               {"agent_id", agent.agent_id},
                               {"startup_ms", 12.5 + static_cast<double>(agent.starter)},
                               {"ts", "2026-01-01 00:00:00"}}
                    .dump() +
                "\n";
        any = true;
      }
    }
    if (any) {
      clickhouse_write(stores_.clickhouse, body);
    }
  }

  ServiceUrls stores_;
  std::string run_id_;
  std::string prefix_;
  std::string key_;
  std::vector<PlannedUser> users_;
};

}  // namespace cast::test
