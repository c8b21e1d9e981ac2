// Test case 4, end to end: every connection established and every reply
// routed to its own user; dropped connections and misrouted replies fail it.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"

using cast::test::run_cast;

TEST_CASE("200 users over two workers keep stable connections with replies routed to them") {
  auto run = run_cast({"run", "--users", "200", "--workers", "2"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.report.is_object());
  CHECK(run.test_case("websocket_scaling").at("verdict") == "passed");
  CHECK(run.criterion("websocket_scaling", "connections_established").at("passed") == true);
  CHECK(run.report.at("workers").size() == 2);
  for (const auto& w : run.report.at("workers")) CHECK(w.at("users") == 100);
}

TEST_CASE("drop_connections fails WebSocket scaling with exit code 1") {
  auto run = run_cast({"run", "--users", "40", "--reference-fault", "drop_connections"});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.test_case("websocket_scaling").at("verdict") == "failed");
  CHECK(run.criterion("websocket_scaling", "unexpected_closes").at("passed") == false);
}

TEST_CASE("misrouted replies fail WebSocket scaling and name who saw whose reply") {
  auto run = run_cast({"run", "--users", "20", "--reference-fault", "misroute:0.5"});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.test_case("websocket_scaling").at("verdict") == "failed");
  REQUIRE(run.findings_of_kind("misrouted_reply") > 0);
  for (const auto& f : run.report.at("findings")) {
    if (f.at("kind") != "misrouted_reply") continue;
    CHECK(f.at("observer") != f.at("owner"));
    CHECK(f.at("excerpt").get<std::string>().find(">>>") != std::string::npos);
  }
}
