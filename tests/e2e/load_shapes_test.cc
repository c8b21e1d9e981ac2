// Load shapes end to end: --ramp spreads the users' starts over its span;
// --hold keeps every connection open after its session with a message
// every hold interval; both reach the workers and the reports. Against the reference platform
// in memory (no stores needed for these), small and bounded.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "tests/support/cast_cli.h"
#include "tests/support/reference_platform.h"

namespace {

using cast::test::ReferencePlatform;
using cast::test::run_cast;

std::map<std::string, std::string> targets(const ReferencePlatform& platform) {
  return {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
          {"E2E_BACKEND_URL", platform.backend_url()},
          {"E2E_WEBSOCKET_URL", platform.ws_url()}};
}

std::uint64_t events_of(const cast::test::CastRun& run) {
  std::uint64_t events = 0;
  for (const auto& worker : run.report.at("workers")) events += worker.at("events").get<std::uint64_t>();
  return events;
}

std::string hold_config() {
  auto path = std::filesystem::temp_directory_path() / ("cast-hold-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "load:\n  hold_interval_s: 1\n";
  return path.string();
}

}  // namespace

TEST_CASE("--hold 3 keeps 20 connections open after their sessions, one message a second, and no drops") {
  ReferencePlatform platform;
  auto plain = run_cast({"run", "--users", "20", "--workers", "2", "--performance-only"}, targets(platform));
  INFO(plain.output);
  REQUIRE(plain.exit_code == 0);

  auto config = hold_config();
  auto held =
      run_cast({"run", "--users", "20", "--workers", "2", "--performance-only", "--hold", "3", "--config", config},
               targets(platform));
  std::filesystem::remove(config);
  INFO(held.output);
  CHECK(held.exit_code == 0);
  REQUIRE(held.report.is_object());
  CHECK(held.report.at("config").at("load").at("hold_s") == doctest::Approx(3));
  CHECK(held.report.at("config").at("load").at("hold_interval_s") == doctest::Approx(1));
  CHECK(held.output.find("each connection held 3.0 s after its session, a message every 1.0 s") != std::string::npos);
  CHECK(held.report.at("duration_s").get<double>() >= 3.0);
  CHECK(held.criterion("websocket_scaling", "unexpected_closes").at("passed") == true);
  CHECK(held.report.at("users_failed_total") == 0);
  // Hold messages at +1 s and +2 s, the close at +3 s: per user two more
  // steps of two events each (the answer's frame, the step's end).
  CHECK(events_of(held) == events_of(plain) + 20 * 2 * 2);
}

TEST_CASE("--ramp 2 spreads 20 users' starts over two seconds instead of one go") {
  ReferencePlatform platform;
  auto ramped =
      run_cast({"run", "--users", "20", "--workers", "2", "--performance-only", "--ramp", "2"}, targets(platform));
  INFO(ramped.output);
  CHECK(ramped.exit_code == 0);
  REQUIRE(ramped.report.is_object());
  CHECK(ramped.report.at("config").at("load").at("ramp_s") == doctest::Approx(2));
  CHECK(ramped.output.find("starts spread over 2.0 s") != std::string::npos);
  // Each worker's last user is due 9/10 of the ramp after the go and no
  // start comes before it is due; the workers' go instants differ by their
  // clock offsets (milliseconds), hence the margin. Without the ramp the
  // skew is a few milliseconds.
  CHECK(ramped.report.at("harness").at("start_skew_ms").get<double>() >= 1500);
  CHECK(ramped.report.at("duration_s").get<double>() >= 1.8);
  CHECK(ramped.report.at("users_failed_total") == 0);
}
