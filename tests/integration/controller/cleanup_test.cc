// The cleanup against real PostgreSQL, Redis and ClickHouse: this run's
// rows and keys go, and everything else — other runs, other prefixes, a
// look-alike prefix — stays byte for byte.
#include <doctest/doctest.h>
#include <hiredis/hiredis.h>

#include <map>

#include "common/process/loopback_port.h"
#include "controller/cleanup/run_data_cleanup.h"
#include "tests/integration/controller/seeded_run.h"
#include "tests/support/store_inspector.h"
#include "tests/support/test_environment.h"

using namespace cast::controller;  // the code under test

using cast::test::SeededRun;

namespace {

const cast::controller::ServiceUrls& stores() { return cast::test::shared_environment(); }

std::string postgres_dump() { return cast::test::postgres_dump(stores().postgres); }
std::map<std::string, std::string> redis_dump() { return cast::test::redis_dump(stores().redis); }
std::string clickhouse_dump(const std::string& where = "1") {
  return cast::test::clickhouse_dump(stores().clickhouse, where);
}

std::map<std::string, std::string> without_run(std::map<std::string, std::string> keys, const std::string& run_id,
                                               const std::vector<std::string>& also_gone) {
  std::erase_if(keys, [&](const auto& entry) {
    return entry.first.starts_with("cast:" + run_id + ":") ||
           std::find(also_gone.begin(), also_gone.end(), entry.first) != also_gone.end();
  });
  return keys;
}

}  // namespace

TEST_CASE("cleanup removes this run's rows and keys and leaves everything else byte for byte") {
  SeededRun mine{stores(), cast::controller::make_run_id(), 3};
  SeededRun other_run{stores(), cast::controller::make_run_id(), 3};
  SeededRun other_prefix{stores(), mine.run_id(), 2, "other"};
  mine.write(mine.clean_agents());
  other_run.write(other_run.clean_agents());
  auto other_agents = other_prefix.clean_agents();
  for (auto& agent : other_agents) {
    agent.row_user.clear();  // same run id: only the Redis keys are another prefix's
    agent.metric_user.clear();
  }
  other_prefix.write(other_agents);
  const auto leaked = "leak:" + mine.run_id() + ":ctx";
  const auto look_alike = "cast:" + mine.run_id() + "x:user:u-000001:agents";
  cast::test::redis_write(stores().redis, {"SET", leaked, "stray"});
  cast::test::redis_write(stores().redis, {"SADD", look_alike, "agent-9"});
  cast::test::redis_write(stores().redis, {"SET", "cast:" + other_run.run_id() + ":expiring", "v", "EX", "3600"});

  const auto pg_before = postgres_dump();
  const auto redis_before = redis_dump();
  const auto ch_others_before = clickhouse_dump("run_id != '" + mine.run_id() + "'");
  REQUIRE(clickhouse_dump("run_id = '" + mine.run_id() + "'") != "");

  cast::controller::CleanupScope scope;
  scope.run_id = mine.run_id();
  scope.stores = stores();
  scope.keys_outside_prefix = {leaked, look_alike, "unrelated-key"};
  const auto counts = cast::controller::RunDataCleanup{scope}.run();
  CHECK(counts.errors.empty());
  CHECK(counts.postgres_rows == 6);  // 3 agents, 3 messages
  CHECK(counts.redis_keys == 7);     // 3 hashes, 3 sets, the leaked key
  CHECK(counts.clickhouse_rows == 3);
  CHECK(counts.clickhouse_settled);
  CHECK(counts.refused_keys == std::vector<std::string>{look_alike, "unrelated-key"});

  // Nothing of this run is left.
  CHECK(cast::test::pg_query(stores().postgres, "SELECT 1 FROM agents WHERE run_id = $1", {mine.run_id()}).empty());
  CHECK(cast::test::pg_query(stores().postgres, "SELECT 1 FROM agent_messages WHERE run_id = $1", {mine.run_id()})
            .empty());
  CHECK(cast::test::redis_scan(stores().redis, "cast:" + mine.run_id() + ":*").empty());
  CHECK(clickhouse_dump("run_id = '" + mine.run_id() + "'") == "");

  // Everything else is exactly as it was.
  std::string pg_others_before;
  for (std::size_t at = 0, end = 0; at < pg_before.size(); at = end + 1) {
    end = pg_before.find('\n', at);
    const auto line = pg_before.substr(at, end - at);
    if (line.find("run_id=" + mine.run_id() + "\t") == std::string::npos) {
      pg_others_before += line + "\n";
    }
  }
  CHECK(postgres_dump() == pg_others_before);
  const auto redis_after = redis_dump();
  CHECK(redis_after == without_run(redis_before, mine.run_id(), {leaked}));
  CHECK(redis_after.contains(look_alike));
  CHECK(redis_after.contains("other:" + mine.run_id() + ":user:u-000000:agents"));
  CHECK(clickhouse_dump() == ch_others_before);
  CHECK(ch_others_before.find(other_run.run_id()) != std::string::npos);
}

TEST_CASE("cleanup of a run with no data deletes nothing and reports nothing") {
  const auto redis_before = redis_dump();
  const auto pg_before = postgres_dump();
  const auto ch_before = clickhouse_dump();
  cast::controller::CleanupScope scope;
  scope.run_id = cast::controller::make_run_id();
  scope.stores = stores();
  const auto counts = cast::controller::RunDataCleanup{scope}.run();
  CHECK(counts.errors.empty());
  CHECK(counts.postgres_rows + counts.redis_keys + counts.clickhouse_rows == 0);
  CHECK(redis_dump() == redis_before);
  CHECK(postgres_dump() == pg_before);
  CHECK(clickhouse_dump() == ch_before);
}

TEST_CASE("a store that cannot be reached is named; the others are still cleaned") {
  SeededRun mine{stores(), cast::controller::make_run_id(), 2};
  mine.write(mine.clean_agents());
  cast::controller::CleanupScope scope;
  scope.run_id = mine.run_id();
  scope.stores = stores();
  const auto port = std::to_string(cast::free_loopback_port());
  scope.stores.redis = "redis://:s3cret@127.0.0.1:" + port + "/0";
  const auto counts = cast::controller::RunDataCleanup{scope}.run();
  REQUIRE(counts.errors.size() == 1);
  CHECK(counts.errors[0].find("redis at redis://:***@127.0.0.1:" + port) != std::string::npos);
  CHECK(counts.errors[0].find("s3cret") == std::string::npos);
  CHECK(counts.postgres_rows == 4);
  CHECK(counts.clickhouse_rows == 2);
  CHECK(cast::test::redis_scan(stores().redis, "cast:" + mine.run_id() + ":*").size() == 4);
}

TEST_CASE("cleanup refuses an unsafe run id") {
  cast::controller::CleanupScope scope;
  scope.run_id = "*";
  CHECK_THROWS_AS(cast::controller::RunDataCleanup{scope}, std::invalid_argument);
}
