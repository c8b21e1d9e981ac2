// Test case 1, end to end: `cast run` on the embedded default starts every
// agent with a unique id and its own context, and notices when the
// platform's agent ids collide.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"

using cast::test::run_cast;

TEST_CASE("a clean platform passes startup isolation: unique ids, own identity and context") {
  auto run = run_cast({"run", "--users", "60", "--workers", "2"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.report.is_object());
  CHECK(run.report.at("verdict") == "passed");
  CHECK(run.report.at("schema") == "cast.report/v1");
  CHECK(run.test_case("startup_isolation").at("verdict") == "passed");
  CHECK(run.criterion("startup_isolation", "unique_agent_ids").at("passed") == true);
  CHECK(run.criterion("startup_isolation", "context_intact").at("passed") == true);
  CHECK(run.report.at("startup_ms").at("count") == 60);
  // The five test cases always appear, in order.
  std::vector<std::string> ids;
  for (const auto& tc : run.report.at("test_cases")) ids.push_back(tc.at("id"));
  CHECK(ids == std::vector<std::string>{"startup_isolation", "cross_contamination", "performance", "websocket_scaling",
                                        "state_persistence"});
}

TEST_CASE("colliding agent ids fail startup isolation with evidence naming the users") {
  auto run = cast::test::expect_caught({"--users", "20", "--workers", "2", "--reference-fault", "id_collision"},
                                       "startup_isolation", "duplicate_agent_id");
  CHECK(run.criterion("startup_isolation", "unique_agent_ids").at("passed") == false);
  for (const auto& f : run.report.at("findings")) {
    if (f.at("kind") != "duplicate_agent_id") continue;
    CHECK(f.at("observer").get<std::string>().rfind("u-", 0) == 0);
    CHECK(f.at("owner").get<std::string>().rfind("u-", 0) == 0);
    CHECK(f.at("observer") != f.at("owner"));
  }
}
