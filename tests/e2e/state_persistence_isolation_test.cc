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
