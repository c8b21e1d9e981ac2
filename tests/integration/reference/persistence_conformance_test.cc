// protocol.md, persistence: with real PostgreSQL, Redis and ClickHouse
// behind it, the platform writes each agent's row, messages, live context
// and startup metric with the right owner and the token's run id.
#include <doctest/doctest.h>

#include <thread>

#include "tests/support/reference_platform.h"
#include "tests/support/store_inspector.h"
#include "tests/support/test_environment.h"
#include "tests/support/test_users.h"

using namespace cast::test;

namespace {

const cast::controller::ServiceUrls& env() { return shared_environment(); }

ReferencePlatform& platform() {
  static ReferencePlatform instance{[] {
    ReferenceOptions options;
    options.stores = &env();
    options.redis_prefix = "castconf";
    return options;
  }()};
  return instance;
}

// ClickHouse rows arrive in batches (at most ~200 ms late): poll with a deadline.
std::vector<json> metric_rows(const std::string& run_id, std::size_t expected) {
  std::vector<json> rows;
  for (int i = 0; i < 100 && rows.size() < expected; ++i) {
    if (i > 0) std::this_thread::sleep_for(100ms);
    rows = clickhouse_rows(env().clickhouse,
                           "SELECT run_id, user_id, agent_id, startup_ms FROM cast.agent_startup_metrics"
                           " WHERE run_id = '" +
                               run_id + "'");
  }
  return rows;
}

}  // namespace

TEST_CASE("each started agent has its row, messages, live context and metric, owned by its user") {
  auto run = fresh_run_id("persist");
  std::vector<TestUser> users;
  for (int i = 0; i < 5; ++i) {
    users.push_back(connect_user(platform().auth_url(), platform().ws_url(), run, i));
    users.back().start();
    users.back().say("note for " + users.back().user_id);
  }

  for (const auto& u : users) {
    CAPTURE(u.user_id);
    auto rows = pg_query(env().postgres,
                         "SELECT run_id, user_id, tenant_id, state::text AS state FROM agents WHERE agent_id = $1",
                         {u.agent_id});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["run_id"] == run);
    CHECK(rows[0]["user_id"] == u.user_id);
    CHECK(rows[0]["tenant_id"] == u.tenant_id);
    CHECK(rows[0]["state"].find(u.canary) != std::string::npos);

    auto messages = pg_query(env().postgres, "SELECT run_id, user_id, content FROM agent_messages WHERE agent_id = $1",
                             {u.agent_id});
    REQUIRE(messages.size() == 1);
    CHECK(messages[0]["run_id"] == run);
    CHECK(messages[0]["user_id"] == u.user_id);
    CHECK(messages[0]["content"] == "note for " + u.user_id);

    auto key = "castconf:" + run + ":user:" + u.user_id + ":agent:" + u.agent_id;
    auto hash = redis_hgetall(env().redis, key);
    CHECK_FALSE(hash.empty());
    CHECK(hash["canary"] == u.canary);
    auto set = redis_smembers(env().redis, "castconf:" + run + ":user:" + u.user_id + ":agents");
    CHECK(set == std::vector<std::string>{u.agent_id});
  }

  // Nothing of this run lives outside the user-scoped layout.
  for (const auto& key : redis_scan(env().redis, "castconf:" + run + ":*")) {
    CAPTURE(key);
    CHECK(key.find(":user:u-") != std::string::npos);
  }

  auto rows = metric_rows(run, users.size());
  REQUIRE(rows.size() == users.size());
  for (const auto& row : rows) {
    auto owner =
        std::find_if(users.begin(), users.end(), [&](const TestUser& u) { return u.agent_id == row["agent_id"]; });
    REQUIRE(owner != users.end());
    CHECK(row["user_id"] == owner->user_id);
    CHECK(row["startup_ms"].get<double>() >= 0);
  }
}

TEST_CASE("state written through the API is the state stored in PostgreSQL") {
  auto run = fresh_run_id("persist-state");
  auto alice = connect_user(platform().auth_url(), platform().ws_url(), run, 1);
  alice.start();
  alice.update_state(alice.agent_id, {{"plan", "persisted"}});
  auto rows =
      pg_query(env().postgres, "SELECT state->>'plan' AS plan FROM agents WHERE agent_id = $1", {alice.agent_id});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["plan"] == "persisted");
}
