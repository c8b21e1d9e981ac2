// Test case 5, end to end: each fault that stores one user's data as
// another's is caught by reading the run's rows and keys back.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"

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
  auto run = expect_caught({"--users", "10", "--reference-fault", "no_authz"}, "state_persistence", "unauthorized_read");
  CHECK(run.findings_of_kind("unauthorized_write") + run.findings_of_kind("unauthorized_modification") > 0);
  for (const auto& f : run.report.at("findings")) {
    if (f.at("kind") != "unauthorized_read") continue;
    CHECK(f.at("observer") != f.at("owner"));             // attacker and victim
    CHECK_FALSE(f.at("where").get<std::string>().empty());  // the call that got through
  }
}

TEST_CASE("jwt_none is caught by the forged-token probes") {
  expect_caught({"--users", "10", "--reference-fault", "jwt_none"}, "state_persistence", "forged_token_accepted");
}
