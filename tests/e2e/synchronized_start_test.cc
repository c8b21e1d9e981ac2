// The synchronized start across workers, with two real worker processes:
// the controller measures each one's clock offset and round trip from the
// Pongs, names the common instant on each worker's own clock, and each
// worker reports when its users really started on that clock; the report
// converts those back and gives the start skew across workers. Checks the
// figures exist and agree with each other, not how small they are (the
// machine is shared).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "tests/support/cast_cli.h"
#include "tests/support/reference_platform.h"

using cast::test::ReferencePlatform;
using cast::test::run_cast;

TEST_CASE("two workers start on one instant: per-worker offset, round trip and first start, and the skew across them") {
  ReferencePlatform platform;
  auto run = run_cast({"run", "--users", "20", "--workers", "2", "--performance-only"},
                      {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
                       {"E2E_BACKEND_URL", platform.backend_url()},
                       {"E2E_WEBSOCKET_URL", platform.ws_url()}});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto& workers = run.report.at("workers");
  REQUIRE(workers.size() == 2);
  std::vector<double> first_starts;
  double widest_trip = 0;
  for (const auto& worker : workers) {
    CAPTURE(worker.dump());
    const auto& clock = worker.at("clock");
    CHECK(clock.at("samples").get<int>() > 0);  // the worker answered the controller's Pings
    CHECK(clock.at("round_trip_ms").get<double>() >= 0);
    CHECK(clock.at("synchronized_start") == true);  // its Go named the common instant on its clock
    REQUIRE(clock.at("go_ms").is_number());         // the worker reported its go on its own clock
    REQUIRE(clock.at("first_start_ms").is_number());
    // Both converted through the same offset: a user starts at or after its go.
    CHECK(clock.at("first_start_ms").get<double>() >= clock.at("go_ms").get<double>());
    first_starts.push_back(clock.at("first_start_ms").get<double>());
    widest_trip = std::max(widest_trip, clock.at("round_trip_ms").get<double>());
    MESSAGE(worker.at("id").get<std::string>()
            << ": rtt " << clock.at("round_trip_ms") << " ms, offset " << clock.at("offset_ms") << " ms, go "
            << clock.at("go_ms") << " ms, first start " << clock.at("first_start_ms") << " ms");
  }
  const auto& harness = run.report.at("harness");
  REQUIRE(harness.at("worker_start_skew_ms").is_number());
  double skew = harness.at("worker_start_skew_ms").get<double>();
  MESSAGE("start skew across 2 workers: " << skew << " ms (+/- " << harness.at("worker_start_skew_uncertainty_ms")
                                          << " ms)");
  auto [low, high] = std::minmax_element(first_starts.begin(), first_starts.end());
  CHECK(skew == doctest::Approx(*high - *low).epsilon(0.001));
  // Half the widest round trip, in whole microseconds.
  CHECK(std::abs(harness.at("worker_start_skew_uncertainty_ms").get<double>() - widest_trip / 2) <= 0.001);
  CHECK(run.output.find("across workers") != std::string::npos);
  CHECK(run.output.find("first start at") != std::string::npos);
}
