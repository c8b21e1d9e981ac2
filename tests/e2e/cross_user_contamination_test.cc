// Test case 2, end to end: the clean reference platform gives zero findings
// run after run (no flaky false positives), and every fault that leaks one
// user's data to another on the wire is caught with evidence naming both.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"

using cast::test::expect_caught;
using cast::test::run_cast;

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

TEST_CASE("misroute is caught as cross-contamination, with who saw whose reply") {
  auto run =
      expect_caught({"--users", "10", "--reference-fault", "misroute"}, "cross_contamination", "foreign_request_id");
  CHECK(run.output.find("saw data of") != std::string::npos);  // the console names observer and owner
}

TEST_CASE("unscoped_cache is caught as cross-contamination") {
  expect_caught({"--users", "10", "--reference-fault", "unscoped_cache"}, "cross_contamination", "foreign_canary");
}

TEST_CASE("broadcast is caught as cross-contamination") {
  expect_caught({"--users", "10", "--reference-fault", "broadcast"}, "cross_contamination", "foreign_profile");
}

TEST_CASE("cancel_corruption is caught when clients cancel mid-request") {
  expect_caught({"--users", "30", "--cancel-rate", "0.2", "--reference-fault", "cancel_corruption"},
                "cross_contamination", "foreign_canary");
}

TEST_CASE("header_leak is caught in the header fields of upgrades and REST answers") {
  auto run =
      expect_caught({"--users", "10", "--reference-fault", "header_leak"}, "cross_contamination", "foreign_profile");
  std::size_t in_headers = 0;
  for (const auto& f : run.report.at("findings")) {
    if (f.at("where").get<std::string>().find("headers") == std::string::npos) continue;
    ++in_headers;
    CHECK(f.at("observer") != f.at("owner"));
    CHECK(f.at("excerpt").get<std::string>().find("X-Last-Caller") != std::string::npos);
  }
  CHECK(in_headers > 0);
}

TEST_CASE("with isolation not strict, findings are reported but do not fail the run") {
  auto run =
      run_cast({"run", "--users", "10", "--reference-fault", "broadcast"}, {{"ISOLATION_VALIDATION_STRICT", "false"}});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.report.is_object());
  CHECK(run.findings_of_kind("foreign_profile") > 0);
}
