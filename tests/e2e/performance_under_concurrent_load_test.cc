// Test case 3, end to end: exact P95/P99 against the limits, and a platform
// whose agents start slowly fails with exit code 1.
#include <doctest/doctest.h>

#include "tests/support/cast_cli.h"

using cast::test::run_cast;

TEST_CASE("a clean platform meets the startup percentiles and success rate") {
  auto run = run_cast({"run", "--users", "100"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.report.is_object());
  CHECK(run.test_case("performance").at("verdict") == "passed");
  auto p95 = run.report.at("startup_ms").at("p95").get<double>();
  auto p99 = run.report.at("startup_ms").at("p99").get<double>();
  CHECK(p95 > 0);
  CHECK(p95 <= p99);
  CHECK(p99 <= run.report.at("startup_ms").at("max").get<double>());
  CHECK(run.criterion("performance", "success_rate").at("passed") == true);
  // The console shows every criterion with threshold, observed and verdict.
  CHECK(run.output.find("startup_p95_s") != std::string::npos);
  CHECK(run.output.find("PASS") != std::string::npos);
  // However short the load, its CPU and memory were sampled, from the go to its end.
  CHECK(run.criterion("performance", "host_cpu_percent").at("measured") == true);
  CHECK(run.criterion("performance", "platform_memory_mb").at("measured") == true);
  const auto& samples = run.report.at("resources").at("samples");
  REQUIRE(samples.size() >= 2);
  CHECK(samples.front().at("t_s").get<double>() >= 0);
  CHECK(samples.front().at("t_s").get<double>() < samples.back().at("t_s").get<double>());
  CHECK(samples.back().at("t_s").get<double>() <= run.report.at("duration_s").get<double>() + 1);
}

TEST_CASE("slow_start fails the performance test case with exit code 1") {
  auto run = run_cast({"run", "--users", "20", "--reference-fault", "slow_start"});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.report.at("verdict") == "failed");
  CHECK(run.test_case("performance").at("verdict") == "failed");
  CHECK(run.criterion("performance", "startup_p95_s").at("passed") == false);
  CHECK(run.report.at("startup_ms").at("p95").get<double>() >= 4000);
  CHECK(run.junit.find("<failure") != std::string::npos);
}

TEST_CASE("a stricter threshold from the environment fails what the default passes") {
  auto run = run_cast({"run", "--users", "20"}, {{"MIN_SUCCESS_RATE", "1.0"}, {"MAX_AGENT_STARTUP_TIME", "0.001"}});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.report.is_object());
  CHECK(run.criterion("startup_isolation", "max_startup_s").at("passed") == false);
}
