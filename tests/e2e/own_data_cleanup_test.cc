// `cast run` against a platform whose stores already hold other data: after
// the run, this run's rows and keys are gone and everything else — other
// run ids, other prefixes, a look-alike prefix — is intact byte for byte.
// With --keep-data the run's own data stays.
#include <doctest/doctest.h>

#include "common/net/http_client.h"
#include "tests/support/cast_cli.h"
#include "tests/support/reference_platform.h"
#include "tests/support/store_inspector.h"
#include "tests/support/test_environment.h"

using namespace cast::test;

namespace {

const cast::controller::ServiceUrls& stores() { return shared_environment(); }

void seed_unrelated_data() {
  pg_query(stores().postgres,
           "INSERT INTO agents (agent_id, run_id, user_id, tenant_id, state) VALUES"
           " ('keep-a1', 'other-run-1', 'u-000001', 't-1', '{\"canary\":\"keep\"}'),"
           " ('keep-a2', 'run-x', 'u-000002', 't-2', '{}') ON CONFLICT DO NOTHING");
  pg_query(stores().postgres,
           "INSERT INTO agent_messages (agent_id, run_id, user_id, content)"
           " VALUES ('keep-a1', 'other-run-1', 'u-000001', 'keep me')");
  redis_run(stores().redis, {"HSET", "cast:other-run-1:user:u-000001:agent:keep-a1", "canary", "keep"});
  redis_run(stores().redis, {"SET", "otherprefix:anything", "keep"});
  redis_run(stores().redis, {"SET", "castx:run-x:user:u-1:agents", "look-alike"});
  redis_run(stores().redis, {"SET", "cast:other-run-1:ttl", "keep", "EX", "3600"});
  auto res = cast::http_post(stores().clickhouse,
                             "INSERT INTO agent_startup_metrics FORMAT TabSeparated\n"
                             "other-run-1\tu-000001\tkeep-a1\t12.5\t2026-01-01 00:00:00\n");
  REQUIRE(res.status == 200);
}

std::map<std::string, std::string> platform_environment(const ReferencePlatform& platform) {
  return {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
          {"E2E_BACKEND_URL", platform.backend_url()},
          {"E2E_WEBSOCKET_URL", platform.ws_url()},
          {"E2E_POSTGRES_URL", stores().postgres},
          {"E2E_REDIS_URL", stores().redis},
          {"TEST_CLICKHOUSE_URL", stores().clickhouse}};
}

}  // namespace

TEST_CASE("cast deletes exactly its own run's data and leaves the rest byte for byte") {
  ReferenceOptions options;
  options.stores = &stores();
  ReferencePlatform platform{options};
  seed_unrelated_data();
  auto postgres_before = postgres_dump(stores().postgres);
  auto redis_before = redis_dump(stores().redis);
  auto clickhouse_before = clickhouse_dump(stores().clickhouse);

  auto run = run_cast({"run", "--users", "10", "--workers", "2"}, platform_environment(platform));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.test_case("state_persistence").at("verdict") == "passed");

  CHECK(postgres_dump(stores().postgres) == postgres_before);
  CHECK(redis_dump(stores().redis) == redis_before);
  CHECK(clickhouse_dump(stores().clickhouse) == clickhouse_before);
}

TEST_CASE("--keep-data leaves the run's rows and keys for a person to inspect") {
  ReferenceOptions options;
  options.stores = &stores();
  ReferencePlatform platform{options};
  auto run = run_cast({"run", "--users", "5", "--keep-data"}, platform_environment(platform));
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto run_id = run.report.at("run_id").get<std::string>();
  CHECK(pg_query(stores().postgres, "SELECT agent_id FROM agents WHERE run_id = $1", {run_id}).size() == 5);
  CHECK_FALSE(redis_scan(stores().redis, "cast:" + run_id + ":*").empty());
}
