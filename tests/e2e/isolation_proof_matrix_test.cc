// The proof matrix: the clean reference platform gives zero findings, run
// after run, and every fault mode makes the test case it breaks fail with
// exit code 1 and evidence naming the users involved.
#include <doctest/doctest.h>

#include <iostream>

#include "tests/support/cast_cli.h"

using cast::test::CastRun;
using cast::test::run_cast;

namespace {

// Runs `cast run` with `args` and checks that `test_case` failed with
// findings (when `kind` is given, at least one of that kind) whose
// observer and owner are named.
CastRun expect_caught(std::vector<std::string> args, const std::string& test_case, const std::string& kind = "") {
  args.insert(args.begin(), "run");
  auto run = run_cast(args);
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.report.at("verdict") == "failed");
  CHECK(run.test_case(test_case).at("verdict") == "failed");
  if (!kind.empty()) {
    CHECK(run.findings_of_kind(kind) > 0);
    for (const auto& f : run.report.at("findings")) {
      if (f.at("kind") != kind) continue;
      CHECK_FALSE(f.at("observer").get<std::string>().empty());
      CHECK_FALSE(f.at("owner").get<std::string>().empty());
    }
  }
  std::string line;
  for (std::size_t i = 1; i < args.size(); ++i) line += args[i] + " ";
  std::cout << "matrix: " << line << "-> " << test_case << " failed, " << run.report.value("findings_total", 0)
            << " findings\n";
  return run;
}

}  // namespace

TEST_CASE("clean platform: zero findings and exit 0, three runs of 100 users in a row") {
  for (int i = 0; i < 3; ++i) {
    auto run = run_cast({"run", "--users", "100"});
    INFO(run.output);
    CHECK(run.exit_code == 0);
    REQUIRE(run.report.is_object());
    CHECK(run.report.at("findings").empty());
    CHECK(run.test_case("cross_contamination").at("verdict") == "passed");
    CHECK(run.test_case("state_persistence").at("verdict") == "passed");
  }
}

TEST_CASE("shared_context is caught as cross-contamination") {
  expect_caught({"--users", "20", "--reference-fault", "shared_context"}, "cross_contamination", "foreign_canary");
}

TEST_CASE("misroute is caught as cross-contamination") {
  expect_caught({"--users", "10", "--reference-fault", "misroute"}, "cross_contamination", "foreign_request_id");
}

TEST_CASE("id_collision is caught as a startup isolation failure") {
  expect_caught({"--users", "20", "--reference-fault", "id_collision"}, "startup_isolation", "duplicate_agent_id");
}

TEST_CASE("unscoped_cache is caught as cross-contamination") {
  expect_caught({"--users", "10", "--reference-fault", "unscoped_cache"}, "cross_contamination", "foreign_canary");
}

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

TEST_CASE("broadcast is caught as cross-contamination") {
  expect_caught({"--users", "10", "--reference-fault", "broadcast"}, "cross_contamination", "foreign_profile");
}

TEST_CASE("cancel_corruption is caught when clients cancel mid-request") {
  expect_caught({"--users", "30", "--cancel-rate", "0.2", "--reference-fault", "cancel_corruption"},
                "cross_contamination", "foreign_canary");
}

TEST_CASE("slow_start is caught as a performance failure") {
  expect_caught({"--users", "10", "--reference-fault", "slow_start"}, "performance");
}

TEST_CASE("drop_connections is caught as a WebSocket scaling failure") {
  expect_caught({"--users", "20", "--reference-fault", "drop_connections"}, "websocket_scaling");
}
