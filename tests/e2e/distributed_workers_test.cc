// `cast controller` with workers started separately (as on other hosts):
// the run waits for them, deals users to them, and passes; a worker with
// the wrong token is refused and never counted.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/process/child_process.h"
#include "common/process/loopback_port.h"

namespace {

std::string bin(const char* name) { return std::string(CAST_BIN_DIR) + "/" + name; }

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

cast::ChildProcess start_worker(const std::string& address, const std::string& token, const std::string& id,
                                const std::filesystem::path& log) {
  return cast::ChildProcess{cast::ProcessSpec{
      .program = bin("cast"),
      .args = {"worker", "--controller", address, "--token", token, "--worker-id", id, "--capacity", "10"},
      .log_file = log}};
}

}  // namespace

TEST_CASE("a controller runs users on two separately started workers") {
  auto dir = std::filesystem::temp_directory_path() / ("cast-e2e-dist-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto address = "127.0.0.1:" + std::to_string(cast::free_loopback_port());
  cast::ChildProcess controller{cast::ProcessSpec{
      .program = bin("cast"),
      .args = {"controller", "--listen", address, "--expect-workers", "2", "--users", "20", "--report-file",
               (dir / "report.json").string(), "--log-file", (dir / "run.log").string()},
      .env = {{"CAST_WORKER_TOKEN", "e2e-secret"}},
      .log_file = dir / "controller.txt"}};
  // Workers may dial before the controller listens: they retry.
  auto intruder = start_worker(address, "wrong-secret", "intruder", dir / "intruder.txt");
  auto first = start_worker(address, "e2e-secret", "remote-1", dir / "w1.txt");
  auto second = start_worker(address, "e2e-secret", "remote-2", dir / "w2.txt");
  auto status = controller.wait_for(std::chrono::minutes{3});
  auto output = slurp(dir / "controller.txt");
  INFO(output);
  REQUIRE(status.has_value());
  CHECK(status->code == 0);
  auto report = slurp(dir / "report.json");
  CHECK(report.find("\"remote-1\"") != std::string::npos);
  CHECK(report.find("\"remote-2\"") != std::string::npos);
  CHECK(report.find("intruder") == std::string::npos);
  CHECK(first.wait_for(std::chrono::seconds{30}).has_value());
  CHECK(second.wait_for(std::chrono::seconds{30}).has_value());
  intruder.terminate(std::chrono::seconds{2});
  std::filesystem::remove_all(dir);
}
