#include "tests/support/cast_cli.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <doctest/doctest.h>

#include <iostream>

#include "common/process/child_process.h"
#include "tests/support/liveness_env.h"

namespace cast::test {
namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path private_folder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cast-e2e-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a folder for a cast run");
  return pattern;
}

}  // namespace

const nlohmann::json& CastRun::test_case(const std::string& id) const {
  for (const auto& tc : report.at("test_cases")) {
    if (tc.at("id") == id) return tc;
  }
  throw std::runtime_error("report has no test case " + id);
}

const nlohmann::json& CastRun::criterion(const std::string& test_case_id, const std::string& name) const {
  for (const auto& c : test_case(test_case_id).at("criteria")) {
    if (c.at("name") == name) return c;
  }
  throw std::runtime_error("test case " + test_case_id + " has no criterion " + name);
}

std::size_t CastRun::findings_of_kind(const std::string& kind) const {
  std::size_t n = 0;
  for (const auto& f : report.value("findings", nlohmann::json::array())) n += f.value("kind", "") == kind ? 1 : 0;
  return n;
}

CastRun run_cast(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                 std::chrono::seconds timeout) {
  auto folder = private_folder();
  auto report = folder / "report.json";
  auto junit = folder / "report.xml";
  auto log = folder / "output.txt";
  std::vector<std::string> full = args;
  if (!args.empty() && (args.front() == "run" || args.front() == "controller")) {
    full.insert(full.end(), {"--report-file", report.string(), "--junit", junit.string(), "--log-file",
                             (folder / "concurrent_test_run.log").string()});
  }
  ProcessSpec spec{
      .program = std::string(CAST_BIN_DIR) + "/cast", .args = full, .env = env, .working_dir = folder, .log_file = log};
  add_scaled_liveness(spec.env);
  ChildProcess cast{spec};
  auto status = cast.wait_for(timeout);
  CastRun run;
  if (!status) {
    cast.terminate(std::chrono::seconds{5});
    run.output = slurp(log);
    std::filesystem::remove_all(folder);
    throw std::runtime_error("cast did not finish within " + std::to_string(timeout.count()) + " s:\n" + run.output);
  }
  run.exit_code = status->signal == 0 ? status->code : 128 + status->signal;
  run.output = slurp(log);
  if (std::filesystem::exists(report)) run.report = nlohmann::json::parse(slurp(report));
  run.junit = slurp(junit);
  run.log = slurp(folder / "concurrent_test_run.log");
  std::filesystem::remove_all(folder);
  return run;
}

CastRun expect_caught(std::vector<std::string> args, const std::string& test_case, const std::string& kind) {
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

}  // namespace cast::test
