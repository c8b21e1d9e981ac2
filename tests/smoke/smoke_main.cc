// cast-smoke: a short smoke session through the embedded environment and
// the reference platform. N users connect, start their agents at once and
// send one message; then every agent must be found, owned by its user, in
// PostgreSQL, Redis and ClickHouse. Exit 0 when all of that holds.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "controller/environment/environment.h"
#include "tests/support/reference_platform.h"
#include "tests/support/store_inspector.h"
#include "tests/support/test_users.h"

using namespace cast::controller;  // the code under test

using namespace cast::test;

namespace {

struct SmokeResult {
  int started{0};
  int answered{0};
  int in_postgres{0};
  int in_redis{0};
  int in_clickhouse{0};
};

void run_users(std::vector<TestUser>& users, SmokeResult& result) {
  std::vector<std::thread> threads;
  std::vector<int> ok(users.size() * 2, 0);
  for (std::size_t i = 0; i < users.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        ok[2 * i] = users[i].start(30s).value("type", "") == "agent_started";
        ok[2 * i + 1] = users[i].say("smoke test from " + users[i].user_id).value("type", "") == "agent_response";
      } catch (const std::exception& e) {
        std::fprintf(stderr, "cast-smoke: user %s: %s\n", users[i].user_id.c_str(), e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < users.size(); ++i) {
    result.started += ok[2 * i];
    result.answered += ok[2 * i + 1];
  }
}

void check_stores(const cast::controller::ServiceUrls& urls, const std::string& run, const std::vector<TestUser>& users,
                  SmokeResult& result) {
  std::map<std::string, std::string> owners;
  for (auto& row : pg_query(urls.postgres, "SELECT agent_id, user_id FROM agents WHERE run_id = $1", {run})) {
    owners[row["agent_id"]] = row["user_id"];
  }
  std::vector<json> metrics;
  for (int i = 0; i < 50 && metrics.size() < users.size(); ++i) {
    std::this_thread::sleep_for(200ms);
    metrics = clickhouse_rows(urls.clickhouse,
                              "SELECT user_id, agent_id FROM cast.agent_startup_metrics WHERE run_id = '" + run + "'");
  }
  std::map<std::string, std::string> metric_owner;
  for (auto& m : metrics) metric_owner[m["agent_id"]] = m["user_id"];
  for (const auto& u : users) {
    result.in_postgres += owners.count(u.agent_id) && owners[u.agent_id] == u.user_id;
    result.in_clickhouse += metric_owner.count(u.agent_id) && metric_owner[u.agent_id] == u.user_id;
    auto hash = redis_hgetall(urls.redis, "cast:" + run + ":user:" + u.user_id + ":agent:" + u.agent_id);
    result.in_redis += hash.count("canary") && hash["canary"] == u.canary;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cast-smoke: start N agents at once through the embedded reference platform"};
  int users_n = 200;
  app.add_option("--users", users_n, "concurrent users")->check(CLI::Range(1, 2000));
  CLI11_PARSE(app, argc, argv);

  auto t0 = std::chrono::steady_clock::now();
  auto env = cast::controller::EmbeddedEnvironment::start({});
  ReferenceOptions options;
  options.stores = &env->urls();
  ReferencePlatform platform{options};
  std::printf("cast-smoke: environment and reference platform up in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  auto run = fresh_run_id("smoke");
  std::vector<TestUser> users;
  for (int i = 0; i < users_n; ++i) users.push_back(connect_user(platform.auth_url(), platform.ws_url(), run, i));
  SmokeResult result;
  auto t1 = std::chrono::steady_clock::now();
  run_users(users, result);
  auto session_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  check_stores(env->urls(), run, users, result);

  std::printf("cast-smoke: %d users, run %s, session %.2f s\n", users_n, run.c_str(), session_s);
  std::printf("  agents started     %d/%d\n  replies received   %d/%d\n", result.started, users_n, result.answered,
              users_n);
  std::printf("  PostgreSQL rows    %d/%d\n  Redis contexts     %d/%d\n  ClickHouse metrics %d/%d\n",
              result.in_postgres, users_n, result.in_redis, users_n, result.in_clickhouse, users_n);
  bool passed = result.started == users_n && result.answered == users_n && result.in_postgres == users_n &&
                result.in_redis == users_n && result.in_clickhouse == users_n;
  std::printf("cast-smoke: %s\n", passed ? "PASSED" : "FAILED");
  return passed ? 0 : 1;
}
