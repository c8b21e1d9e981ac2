// Bad input gets a clear error naming what and where, and design.md's exit
// codes: 2 for usage and configuration, 3 for an unreachable platform.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "common/process/loopback_port.h"
#include "tests/support/cast_cli.h"

using cast::test::run_cast;

TEST_CASE("a bad flag value exits 2 naming the flag") {
  auto run = run_cast({"run", "--users", "0"});
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("--users") != std::string::npos);
}

TEST_CASE("an unknown YAML key exits 2 naming the key and its line") {
  auto path = std::filesystem::temp_directory_path() / "cast-e2e-bad-config.yaml";
  std::ofstream{path} << "users: 10\nthresholds:\n  p95: 3\n";
  auto run = run_cast({"run", "--config", path.string()});
  std::filesystem::remove(path);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("thresholds.p95") != std::string::npos);
  CHECK(run.output.find(":3:") != std::string::npos);
}

TEST_CASE("a bad environment variable exits 2 naming it") {
  auto run = run_cast({"run"}, {{"CONCURRENT_TEST_USERS", "lots"}});
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("CONCURRENT_TEST_USERS") != std::string::npos);
}

TEST_CASE("an unreachable platform exits 3 naming the URL") {
  auto port = std::to_string(cast::free_loopback_port());
  auto run = run_cast({"run", "--users", "5"}, {{"E2E_AUTH_SERVICE_URL", "http://127.0.0.1:" + port},
                                                {"E2E_BACKEND_URL", "http://127.0.0.1:" + port},
                                                {"E2E_WEBSOCKET_URL", "ws://127.0.0.1:" + port + "/ws"}});
  CHECK(run.exit_code == 3);
  CHECK(run.output.find("127.0.0.1:" + port) != std::string::npos);
}
