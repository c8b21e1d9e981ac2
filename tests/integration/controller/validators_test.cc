// The persistence validator against real PostgreSQL, Redis and ClickHouse:
// a clean run gives no finding, and each seeded defect gives its own, with
// the store as observer, the rightful owner and the row or key named.
#include <doctest/doctest.h>

#include <algorithm>

#include "common/process/loopback_port.h"
#include "controller/validators/persistence_validator.h"
#include "controller/validators/store_access.h"
#include "tests/integration/controller/platform_run.h"
#include "tests/integration/controller/seeded_run.h"
#include "tests/support/test_environment.h"

using namespace cast::controller;  // the code under test

using cast::test::run_users_on;
using cast::test::SeedAgent;
using cast::test::SeededRun;

namespace {

const ServiceUrls& stores() { return cast::test::shared_environment(); }

std::vector<Finding> of_kind(const PersistenceReport& report, FindingKind kind) {
  std::vector<Finding> found;
  std::copy_if(report.findings.begin(), report.findings.end(), std::back_inserter(found),
               [&](const Finding& finding) { return finding.kind == kind; });
  return found;
}

std::string listed(const PersistenceReport& report) {
  std::string text;
  for (const auto& f : report.findings) {
    text += to_string(f.kind) + (" " + f.channel) + " " + f.where + " owner=" + f.owner + " " + f.excerpt + "\n";
  }
  return text;
}

// Seeds `agents` for `run` between two key censuses and validates.
PersistenceReport seed_and_validate(const SeededRun& run, const std::vector<SeedAgent>& agents,
                                    const std::vector<std::vector<std::string>>& extra_redis = {}) {
  auto scope = run.scope();
  scope.redis_before = RedisKeyCensus::take(stores().redis, {}, run.prefix(), run.run_id());
  run.write(agents);
  for (const auto& command : extra_redis) {
    cast::test::redis_write(stores().redis, command);
  }
  auto report = validate_persistence(run.users(), run.harness(agents), scope);
  MESSAGE(listed(report));
  return report;
}

bool marks(const Finding& finding, const std::string& value) {
  return finding.excerpt.find(">>>" + value + "<<<") != std::string::npos;
}

}  // namespace

TEST_CASE("a clean run leaves no finding in any store") {
  SeededRun run{stores(), make_run_id(), 4};
  const auto report = seed_and_validate(run, run.clean_agents());
  CHECK(report.findings.empty());
  CHECK(report.postgres_rows == 8);
  CHECK(report.redis_keys == 8);
  CHECK(report.clickhouse_rows == 4);
  CHECK(report.keys_outside_prefix.empty());
  REQUIRE(report.redis_after.has_value());
  CHECK(report.redis_after->run_keys == 8);
}

TEST_CASE("a row written with another user's id is wrong_owner_row, owned by the starter") {
  SeededRun run{stores(), make_run_id(), 3};
  auto agents = run.clean_agents();
  agents[0].row_user = run.users()[1].user_id;
  const auto report = seed_and_validate(run, agents);
  const auto rows = of_kind(report, FindingKind::wrong_owner_row);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].test_case == TestCaseId::state_persistence);
  CHECK(rows[0].observer == "postgres");
  CHECK(rows[0].channel == "postgres");
  CHECK(rows[0].owner == run.users()[0].user_id);
  CHECK(rows[0].where == "agents/" + agents[0].agent_id);
  CHECK(marks(rows[0], run.users()[1].user_id));
  const auto messages = of_kind(report, FindingKind::wrong_owner_message);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].where == "agent_messages/" + agents[0].agent_id);
  CHECK(report.findings.size() == 2);
}

TEST_CASE("an agent the harness saw without a row is missing_row; a row nobody saw is unknown_row") {
  SeededRun run{stores(), make_run_id(), 3};
  auto agents = run.clean_agents();
  agents[2].row_user.clear();
  auto report = seed_and_validate(run, agents);
  auto missing = of_kind(report, FindingKind::missing_row);
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].owner == run.users()[2].user_id);
  CHECK(missing[0].where == "agents/" + agents[2].agent_id);
  CHECK(marks(missing[0], agents[2].agent_id));
  CHECK(report.findings.size() == 1);

  // The same stores, but the harness never heard of agent 1.
  auto seen = agents;
  seen.erase(seen.begin() + 1);
  auto harness = run.harness(seen);
  report = validate_persistence(run.users(), harness, run.scope());
  const auto unknown = of_kind(report, FindingKind::unknown_row);
  REQUIRE(unknown.size() == 2);  // its agents row and its message
  CHECK(unknown[0].owner == run.users()[1].user_id);
  CHECK(unknown[0].where == "agents/" + agents[1].agent_id);
  CHECK(of_kind(report, FindingKind::unknown_key).size() == 2);  // its hash, and its id in the user's set
  CHECK(of_kind(report, FindingKind::unknown_metric).size() == 1);
}

TEST_CASE("another user's canary in the state is foreign_data_in_row and in the context foreign_data_in_key") {
  SeededRun run{stores(), make_run_id(), 3};
  auto agents = run.clean_agents();
  agents[0].foreign = " leaked " + run.users()[1].canary;
  const auto report = seed_and_validate(run, agents);
  const auto rows = of_kind(report, FindingKind::foreign_data_in_row);
  REQUIRE(rows.size() == 2);  // the agents row and the message
  CHECK(rows[0].observer == "postgres");
  CHECK(rows[0].owner == run.users()[1].user_id);
  CHECK(rows[0].where == "agents/" + agents[0].agent_id + " of " + run.users()[0].user_id);
  CHECK(marks(rows[0], run.users()[1].canary));
  CHECK(rows[1].where == "agent_messages/" + agents[0].agent_id + " of " + run.users()[0].user_id);
  const auto keys = of_kind(report, FindingKind::foreign_data_in_key);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].observer == "redis");
  CHECK(keys[0].owner == run.users()[1].user_id);
  CHECK(marks(keys[0], run.users()[1].canary));
  CHECK(report.findings.size() == 3);
}

TEST_CASE("another user's email in the state is foreign data too") {
  SeededRun run{stores(), make_run_id(), 2};
  auto agents = run.clean_agents();
  agents[1].foreign = " cc " + run.users()[0].profile.email;
  const auto report = seed_and_validate(run, agents);
  const auto rows = of_kind(report, FindingKind::foreign_data_in_row);
  REQUIRE_FALSE(rows.empty());
  CHECK(rows[0].owner == run.users()[0].user_id);
  CHECK(marks(rows[0], run.users()[0].profile.email));
}

TEST_CASE("a key naming the wrong user is wrong_owner_key") {
  SeededRun run{stores(), make_run_id(), 3};
  auto agents = run.clean_agents();
  agents[0].key_user = run.users()[2].user_id;
  const auto report = seed_and_validate(run, agents);
  const auto keys = of_kind(report, FindingKind::wrong_owner_key);
  REQUIRE(keys.size() == 2);  // the context hash and the set listing the agent
  for (const auto& key : keys) {
    CHECK(key.observer == "redis");
    CHECK(key.owner == run.users()[0].user_id);
    CHECK(key.where.find(":user:" + run.users()[2].user_id + ":") != std::string::npos);
  }
  CHECK(marks(keys[0], run.users()[2].user_id));
  CHECK(report.findings.size() == 2);
}

TEST_CASE("a key of the run outside the layout is unscoped_key, owned by whose data it holds") {
  SeededRun run{stores(), make_run_id(), 3};
  const auto key = run.prefix() + ":" + run.run_id() + ":live_context";
  const auto report = seed_and_validate(run, run.clean_agents(), {{"HSET", key, "canary", run.users()[2].canary}});
  const auto unscoped = of_kind(report, FindingKind::unscoped_key);
  REQUIRE(unscoped.size() == 1);
  CHECK(unscoped[0].observer == "redis");
  CHECK(unscoped[0].where == key);
  CHECK(unscoped[0].owner == run.users()[2].user_id);
  CHECK(marks(unscoped[0], run.users()[2].canary));
  CHECK(report.findings.size() == 1);
}

TEST_CASE("keys of the run outside its prefix are key_outside_prefix, named or counted") {
  SeededRun run{stores(), make_run_id(), 2};
  const auto named = "leak:" + run.run_id() + ":ctx";
  const auto unnamed = "anonymous-cache-" + run.run_id().substr(4) + "-entry";  // does not name the run as a word
  const auto report =
      seed_and_validate(run, run.clean_agents(), {{"SET", named, run.users()[0].canary}, {"SET", unnamed, "x"}});
  const auto outside = of_kind(report, FindingKind::key_outside_prefix);
  REQUIRE(outside.size() == 2);
  CHECK(outside[0].where == named);
  CHECK(outside[0].owner == run.users()[0].user_id);
  CHECK(marks(outside[0], run.run_id()));
  CHECK(outside[1].where == "outside " + run.prefix() + ":" + run.run_id() + ":*");
  CHECK(marks(outside[1], "1"));
  CHECK(report.keys_outside_prefix == std::vector<std::string>{named});
  CHECK(report.findings.size() == 2);
}

TEST_CASE("a metric row with another user's id is misattributed_metric; missing rows are a count mismatch") {
  SeededRun run{stores(), make_run_id(), 3};
  auto agents = run.clean_agents();
  agents[1].metric_user = run.users()[0].user_id;
  auto report = seed_and_validate(run, agents);
  const auto misattributed = of_kind(report, FindingKind::misattributed_metric);
  REQUIRE(misattributed.size() == 1);
  CHECK(misattributed[0].observer == "clickhouse");
  CHECK(misattributed[0].owner == run.users()[1].user_id);
  CHECK(misattributed[0].where == "agent_startup_metrics/" + agents[1].agent_id);
  CHECK(marks(misattributed[0], run.users()[0].user_id));
  // user 0 now holds two rows for one agent, user 1 none for one.
  const auto counts = of_kind(report, FindingKind::metric_count_mismatch);
  REQUIRE(counts.size() == 2);
  CHECK(counts[0].owner == run.users()[0].user_id);
  CHECK(marks(counts[0], "2"));
  CHECK(counts[1].owner == run.users()[1].user_id);
  CHECK(marks(counts[1], "0"));
  CHECK(report.findings.size() == 3);
}

TEST_CASE("a user who saw more agents start than it has metric rows is metric_count_mismatch alone") {
  SeededRun run{stores(), make_run_id(), 2};
  auto agents = run.clean_agents();
  agents.push_back(agents[1]);
  agents.back().agent_id += "-second";
  agents.back().metric_user.clear();
  const auto report = seed_and_validate(run, agents);
  const auto counts = of_kind(report, FindingKind::metric_count_mismatch);
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].observer == "clickhouse");
  CHECK(counts[0].owner == run.users()[1].user_id);
  CHECK(counts[0].where == "agent_startup_metrics user_id=" + run.users()[1].user_id);
  CHECK(counts[0].excerpt.find("who saw 2 agents start") != std::string::npos);
  CHECK(report.findings.size() == 1);
}

TEST_CASE("an unreachable store is an error naming it and its URL, without the password") {
  SeededRun run{stores(), make_run_id(), 1};
  const auto port = std::to_string(cast::free_loopback_port());
  struct Case {
    std::string store;
    ServiceUrls urls;
  };
  const std::vector<Case> cases{
      {"postgres at postgresql://cast:***@127.0.0.1:" + port,
       {.postgres = "postgresql://cast:s3cret@127.0.0.1:" + port + "/cast"}},
      {"redis at redis://:***@127.0.0.1:" + port, {.redis = "redis://:s3cret@127.0.0.1:" + port + "/0"}},
      {"clickhouse at http://127.0.0.1:" + port,
       {.clickhouse = "http://127.0.0.1:" + port + "/?database=cast&password=s3cret"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.store);
    auto scope = run.scope();
    scope.stores = c.urls;
    try {
      validate_persistence(run.users(), {}, scope);
      FAIL("no error for an unreachable store");
    } catch (const StoreError& error) {
      const std::string text = error.what();
      CHECK(text.find(c.store) != std::string::npos);
      CHECK(text.find("s3cret") == std::string::npos);
    }
  }
}

TEST_CASE("an unsafe run id is refused before any query") {
  SeededRun run{stores(), make_run_id(), 1};
  auto scope = run.scope();
  scope.run_id = "x' OR '1'='1";
  CHECK_THROWS_AS(validate_persistence(run.users(), {}, scope), std::invalid_argument);
}

// The same checks over what the real reference platform writes: clean, it
// passes; with its persistence faults on, each one is caught.
TEST_CASE("what the clean reference platform stores passes every check") {
  const auto run = run_users_on(stores(), {}, 4);
  const auto report = validate_persistence(run.users, run.harness, run.scope);
  INFO(listed(report));
  CHECK(report.findings.empty());
  CHECK(report.postgres_rows == 8);
  CHECK(report.redis_keys == 8);
  CHECK(report.clickhouse_rows == 4);
}

TEST_CASE("the reference platform's persistence faults are each caught") {
  const auto run = run_users_on(stores(), {"wrong_owner_row:1", "redis_unprefixed", "metrics_misattributed:1"}, 4);
  const auto report = validate_persistence(run.users, run.harness, run.scope);
  INFO(listed(report));
  CHECK_FALSE(of_kind(report, FindingKind::wrong_owner_row).empty());
  CHECK_FALSE(of_kind(report, FindingKind::unscoped_key).empty());
  CHECK_FALSE(of_kind(report, FindingKind::misattributed_metric).empty());
  CHECK_FALSE(of_kind(report, FindingKind::metric_count_mismatch).empty());
  for (const auto& finding : report.findings) {
    CHECK(finding.test_case == TestCaseId::state_persistence);
    CHECK(finding.observer == finding.channel);
  }
}
