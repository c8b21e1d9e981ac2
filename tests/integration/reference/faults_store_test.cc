// The fault modes that corrupt what is stored: each one leaves its mark in
// PostgreSQL, Redis or ClickHouse, and the clean platform leaves none.
#include <doctest/doctest.h>

#include <thread>

#include "tests/support/reference_platform.h"
#include "tests/support/store_inspector.h"
#include "tests/support/test_environment.h"
#include "tests/support/test_users.h"

using namespace cast::test;

namespace {

const cast::controller::ServiceUrls& env() { return shared_environment(); }

std::unique_ptr<ReferencePlatform> platform_with(std::vector<std::string> faults, const std::string& prefix) {
  ReferenceOptions options;
  options.faults = std::move(faults);
  options.stores = &env();
  options.redis_prefix = prefix;
  return std::make_unique<ReferencePlatform>(options);
}

std::vector<TestUser> start_users(ReferencePlatform& p, const std::string& run, int n) {
  std::vector<TestUser> users;
  for (int i = 0; i < n; ++i) {
    users.push_back(connect_user(p.auth_url(), p.ws_url(), run, i));
    users.back().start();
  }
  return users;
}

// agent_id -> user_id for every row of `run` in PostgreSQL.
std::map<std::string, std::string> pg_owners(const std::string& run) {
  std::map<std::string, std::string> owners;
  for (auto& row : pg_query(env().postgres, "SELECT agent_id, user_id FROM agents WHERE run_id = $1", {run})) {
    owners[row["agent_id"]] = row["user_id"];
  }
  return owners;
}

int wrong_pg_owners(const std::vector<TestUser>& users, const std::string& run) {
  auto owners = pg_owners(run);
  int wrong = 0;
  for (const auto& u : users) wrong += owners.count(u.agent_id) && owners[u.agent_id] != u.user_id ? 1 : 0;
  return wrong;
}

// ClickHouse rows of `run` whose user is not the agent's starter (waits for the batch).
int wrong_metric_owners(const std::vector<TestUser>& users, const std::string& run) {
  std::vector<json> rows;
  for (int i = 0; i < 100 && rows.size() < users.size(); ++i) {
    if (i > 0) std::this_thread::sleep_for(100ms);
    rows = clickhouse_rows(env().clickhouse,
                           "SELECT user_id, agent_id FROM cast.agent_startup_metrics WHERE run_id = '" + run + "'");
  }
  REQUIRE(rows.size() == users.size());
  int wrong = 0;
  for (const auto& u : users) {
    for (const auto& r : rows) wrong += r["agent_id"] == u.agent_id && r["user_id"] != u.user_id ? 1 : 0;
  }
  return wrong;
}

}  // namespace

TEST_CASE("clean platform: every row, key and metric belongs to the user that started the agent") {
  auto p = platform_with({}, "castclean");
  auto run = fresh_run_id("clean");
  auto users = start_users(*p, run, 8);
  CHECK(pg_owners(run).size() == users.size());
  CHECK(wrong_pg_owners(users, run) == 0);
  CHECK(wrong_metric_owners(users, run) == 0);
  for (const auto& key : redis_scan(env().redis, "castclean:" + run + ":*"))
    CHECK(key.find(":user:") != std::string::npos);
}

TEST_CASE("wrong_owner_row: agents rows carry another user's user_id") {
  auto p = platform_with({"wrong_owner_row:1"}, "castwor");
  auto run = fresh_run_id("wor");
  auto users = start_users(*p, run, 6);
  CHECK(wrong_pg_owners(users, run) > 0);
}

TEST_CASE("metrics_misattributed: ClickHouse rows carry another user's user_id") {
  auto p = platform_with({"metrics_misattributed:1"}, "castmet");
  auto run = fresh_run_id("met");
  auto users = start_users(*p, run, 6);
  CHECK(wrong_metric_owners(users, run) > 0);
}

TEST_CASE("redis_unprefixed: live context lands under a key that names no user") {
  auto p = platform_with({"redis_unprefixed"}, "castunp");
  auto run = fresh_run_id("unp");
  auto users = start_users(*p, run, 3);
  int unscoped = 0;
  for (const auto& key : redis_scan(env().redis, "castunp:*"))
    unscoped += key.find(":user:") == std::string::npos ? 1 : 0;
  CHECK(unscoped > 0);
}

TEST_CASE("id_collision: one agents row ends up shared by several users' agents") {
  auto p = platform_with({"id_collision"}, "castcol");
  auto run = fresh_run_id("col");
  auto users = start_users(*p, run, 30);
  CHECK(pg_owners(run).size() < users.size());
  CHECK(wrong_pg_owners(users, run) > 0);
}
