// Every way a run can end early still leaves its reports, with the reason in
// words: an unreachable platform (exit 3), workers that never came (exit 4),
// Ctrl-C before and during the load (exit 4).
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/process/child_process.h"
#include "common/process/loopback_port.h"
#include "tests/support/cast_cli.h"
#include "tests/support/eventually.h"
#include "tests/support/reference_platform.h"

using cast::test::run_cast;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reports of a run that stopped early: invalid or unreachable, the
// reason named in the JSON, the JUnit and the console, no made-up latency.
void check_stopped_reports(const nlohmann::json& report, const std::string& junit, const std::string& console,
                           int exit_code, const std::string& reason) {
  REQUIRE(report.is_object());
  CHECK(report.at("verdict") == "invalid");
  CHECK(report.at("exit_code") == exit_code);
  REQUIRE_FALSE(report.at("invalid_reasons").empty());
  std::string reasons = report.at("invalid_reasons").dump();
  CHECK_MESSAGE(reasons.find(reason) != std::string::npos, reasons);
  CHECK(junit.find("type=\"invalid_run\"") != std::string::npos);
  CHECK(junit.find(reason) != std::string::npos);
  CHECK(console.find("run INVALID") != std::string::npos);
  CHECK(console.find("  - ") != std::string::npos);
  CHECK(console.find(reason) != std::string::npos);
}

struct Folder {
  std::filesystem::path path;
  explicit Folder(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~Folder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("an unreachable platform exits 3 and still writes JSON and JUnit naming the reason") {
  auto port = std::to_string(cast::free_loopback_port());
  auto run = run_cast({"run", "--users", "5"}, {{"E2E_AUTH_SERVICE_URL", "http://127.0.0.1:" + port},
                                                {"E2E_BACKEND_URL", "http://127.0.0.1:" + port},
                                                {"E2E_WEBSOCKET_URL", "ws://127.0.0.1:" + port + "/ws"}});
  INFO(run.output);
  CHECK(run.exit_code == 3);
  check_stopped_reports(run.report, run.junit, run.output, 3, "the platform could not be reached");
  CHECK(run.report.dump().find("127.0.0.1:" + port) != std::string::npos);
  CHECK(run.report.at("startup_ms").at("p95").is_null());
  CHECK(run.output.find("no startups measured") != std::string::npos);
}

TEST_CASE("a controller whose workers never come exits 4 with its reports") {
  cast::test::ReferencePlatform platform;
  Folder folder{"cast-e2e-no-workers"};
  std::ofstream{folder.path / "cast.yaml"} << "controller:\n  worker_wait_s: 2\n";
  auto run = run_cast({"controller", "--config", (folder.path / "cast.yaml").string(), "--expect-workers", "2",
                       "--users", "4", "--listen", "127.0.0.1:" + std::to_string(cast::free_loopback_port())},
                      {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
                       {"E2E_BACKEND_URL", platform.backend_url()},
                       {"E2E_WEBSOCKET_URL", platform.ws_url()},
                       {"CAST_WORKER_TOKEN", "e2e-secret"}});
  INFO(run.output);
  CHECK(run.exit_code == 4);
  check_stopped_reports(run.report, run.junit, run.output, 4, "only 0 of 2 workers attached");
  CHECK(run.output.find("the run ended before the go") != std::string::npos);
}

TEST_CASE("Ctrl-C while the controller waits for workers stops it with reports naming the signal") {
  Folder folder{"cast-e2e-interrupt-wait"};
  cast::test::ReferencePlatform platform;
  cast::ChildProcess controller{cast::ProcessSpec{
      .program = std::string(CAST_BIN_DIR) + "/cast",
      .args = {"controller", "--expect-workers", "1", "--users", "2", "--report-file",
               (folder.path / "report.json").string(), "--junit", (folder.path / "report.xml").string(), "--log-file",
               (folder.path / "run.log").string()},
      .env = {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
              {"E2E_BACKEND_URL", platform.backend_url()},
              {"E2E_WEBSOCKET_URL", platform.ws_url()},
              {"CAST_WORKER_TOKEN", "e2e-secret"}},
      .log_file = folder.path / "console.txt"}};
  REQUIRE(cast::test::eventually(
      [&] { return slurp(folder.path / "run.log").find("waiting up to") != std::string::npos; }));
  controller.signal_group(SIGINT);
  auto status = controller.wait_for(60s);
  auto console = slurp(folder.path / "console.txt");
  INFO(console);
  REQUIRE(status.has_value());
  CHECK_MESSAGE(status->code == 4, "exit status " << status->code << ", signal " << status->signal);
  check_stopped_reports(nlohmann::json::parse(slurp(folder.path / "report.json")), slurp(folder.path / "report.xml"),
                        console, 4, "interrupted by signal 2");
}

TEST_CASE("Ctrl-C during the load keeps what was collected and says the run was interrupted") {
  Folder folder{"cast-e2e-interrupt-load"};
  // Agents that take 20 s to start: the interrupt surely lands mid-load.
  cast::test::ReferencePlatform platform{{.startup_ms = "20000:20000"}};
  cast::ChildProcess cast_run{cast::ProcessSpec{
      .program = std::string(CAST_BIN_DIR) + "/cast",
      .args = {"run", "--users", "4", "--workers", "1", "--report-file", (folder.path / "report.json").string(),
               "--junit", (folder.path / "report.xml").string(), "--log-file", (folder.path / "run.log").string()},
      .env = {{"E2E_AUTH_SERVICE_URL", platform.auth_url()},
              {"E2E_BACKEND_URL", platform.backend_url()},
              {"E2E_WEBSOCKET_URL", platform.ws_url()},
              {"AGENT_STARTUP_TIMEOUT", "60"}},
      .log_file = folder.path / "console.txt"}};
  // Plain progress lines (stdout is a file here) show the users connecting.
  REQUIRE(cast::test::eventually(
      [&] { return slurp(folder.path / "console.txt").find(" elapsed, ETA ") != std::string::npos; }));
  cast_run.signal_group(SIGINT);
  auto status = cast_run.wait_for(120s);
  auto console = slurp(folder.path / "console.txt");
  INFO(console);
  REQUIRE(status.has_value());
  CHECK_MESSAGE(status->code == 4, "exit status " << status->code << ", signal " << status->signal);
  auto report = nlohmann::json::parse(slurp(folder.path / "report.json"));
  check_stopped_reports(report, slurp(folder.path / "report.xml"), console, 4, "interrupted by signal 2");
  CHECK(report.at("users") == 4);
  CHECK(console.find("progress: users 4: ") != std::string::npos);
}
