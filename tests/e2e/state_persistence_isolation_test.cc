// Test case 5, end to end: each fault that stores one user's data as
// another's is caught by reading the run's rows and keys back.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"
#include "tests/support/reference_platform.h"

using cast::test::expect_caught;

TEST_CASE("wrong_owner_row is caught in PostgreSQL") {
  expect_caught({"--users", "10", "--reference-fault", "wrong_owner_row"}, "state_persistence", "wrong_owner_row");
}

TEST_CASE("redis_unprefixed is caught in Redis") {
  expect_caught({"--users", "10", "--reference-fault", "redis_unprefixed"}, "state_persistence", "unscoped_key");
}

TEST_CASE("metrics_misattributed is caught in ClickHouse") {
  expect_caught({"--users", "10", "--reference-fault", "metrics_misattributed"}, "state_persistence",
                "misattributed_metric");
}

TEST_CASE("no_authz is caught by the probes, naming attacker, victim and the call") {
  auto run =
      expect_caught({"--users", "10", "--reference-fault", "no_authz"}, "state_persistence", "unauthorized_read");
  CHECK(run.findings_of_kind("unauthorized_write") + run.findings_of_kind("unauthorized_modification") > 0);
  for (const auto& f : run.report.at("findings")) {
    if (f.at("kind") != "unauthorized_read") continue;
    CHECK(f.at("observer") != f.at("owner"));               // attacker and victim
    CHECK_FALSE(f.at("where").get<std::string>().empty());  // the call that got through
  }
}

TEST_CASE("jwt_none is caught by the forged-token probes") {
  expect_caught({"--users", "10", "--reference-fault", "jwt_none"}, "state_persistence", "forged_token_accepted");
}

namespace {

// `cast run --scenario` the second dialect against the reference platform
// speaking it (in memory, so no store checks: only the probes judge case 5).
cast::test::CastRun run_second_dialect(const std::vector<std::string>& faults) {
  cast::test::ReferencePlatform platform({.faults = faults, .dialect = "ops"});
  return cast::test::run_cast(
      {"run", "--users", "8", "--scenario", CAST_SOURCE_DIR "/deploy/examples/scenario-second-dialect.yaml",
       "--auth-url", platform.auth_url(), "--backend-url", platform.backend_url(), "--ws-url", platform.ws_url()});
}

}  // namespace

TEST_CASE("second dialect: the probes speak it, no_authz is caught there and the clean platform passes") {
  // Only the isolation cases are asserted for the clean run: the startup
  // case still reads agent_started in protocol v1's shape.
  auto clean = run_second_dialect({});
  {
    INFO(clean.output);
    REQUIRE(clean.report.is_object());
    CHECK(clean.report.at("findings").empty());
    CHECK(clean.test_case("state_persistence").at("verdict") == "passed");
    CHECK(clean.test_case("cross_contamination").at("verdict") == "passed");
  }
  auto leaky = run_second_dialect({"no_authz"});
  INFO(leaky.output);
  CHECK(leaky.exit_code == 1);
  REQUIRE(leaky.report.is_object());
  CHECK(leaky.test_case("state_persistence").at("verdict") == "failed");
  CHECK(leaky.findings_of_kind("unauthorized_read") > 0);
  CHECK(leaky.findings_of_kind("unauthorized_write") + leaky.findings_of_kind("unauthorized_modification") > 0);
  for (const auto& f : leaky.report.at("findings")) {
    if (f.at("kind") != "unauthorized_read" || f.at("channel") != "rest") continue;
    CHECK(f.at("where").get<std::string>().find("GET /v2/agents/") != std::string::npos);  // the dialect's call
  }
}
