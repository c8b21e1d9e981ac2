// The nightly workflow in .github/workflows runs only what exists: its
// scripts are in the repository and executable, every `cast run` flag it
// passes is one `cast run --help` lists, and the reports it asks for are
// the ones it uploads, whatever the outcome.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "common/process/child_process.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kRoot{CAST_SOURCE_DIR};

std::string slurp(const fs::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// `cast run --help`, as the binary built from this tree prints it.
std::string cast_run_help() {
  auto log = fs::temp_directory_path() / ("cast-ci-help-" + std::to_string(::getpid()) + ".txt");
  cast::ChildProcess cast{
      cast::ProcessSpec{.program = std::string(CAST_BIN_DIR) + "/cast", .args = {"run", "--help"}, .log_file = log}};
  auto status = cast.wait_for(60s);
  auto text = slurp(log);
  fs::remove(log);
  REQUIRE(status.has_value());
  CHECK(status->code == 0);
  return text;
}

bool lists_flag(const std::string& help, const std::string& flag) {
  for (std::size_t at = help.find(flag); at != std::string::npos; at = help.find(flag, at + 1)) {
    char after = at + flag.size() < help.size() ? help[at + flag.size()] : ' ';
    if (!std::isalnum(static_cast<unsigned char>(after)) && after != '-' && after != '_') return true;
  }
  return false;
}

// A script that hands its arguments to `cast run` (deploy/run.sh does).
bool forwards_to_cast_run(const fs::path& script) { return slurp(script).find(" run \"$@\"") != std::string::npos; }

struct CastRunCall {
  std::vector<std::string> args;  // what follows `cast run` (or the forwarding script)
};

// Checks one shell line of a `run:` step; returns the `cast run` call in it, if any.
std::optional<CastRunCall> check_command(const std::string& line) {
  auto argv = words(line);
  if (argv.empty()) return std::nullopt;
  const std::string& program = argv[0];
  if (program.find('/') == std::string::npos) return std::nullopt;  // a tool on PATH
  fs::path path = kRoot / program;
  CHECK_MESSAGE(fs::is_regular_file(path), program << " does not exist in the repository");
  if (!fs::is_regular_file(path)) return std::nullopt;
  auto perms = fs::status(path).permissions();
  CHECK_MESSAGE((perms & fs::perms::owner_exec) != fs::perms::none, program << " is not executable");
  if (program.ends_with("/cast") && argv.size() > 1 && argv[1] == "run") {
    return CastRunCall{{argv.begin() + 2, argv.end()}};
  }
  if (forwards_to_cast_run(path)) return CastRunCall{{argv.begin() + 1, argv.end()}};
  return std::nullopt;
}

std::string flag_value(const CastRunCall& call, const std::string& flag) {
  for (std::size_t i = 0; i + 1 < call.args.size(); ++i) {
    if (call.args[i] == flag) return call.args[i + 1];
  }
  return {};
}

}  // namespace

TEST_CASE("the nightly workflow runs nightly and on demand, with commands that exist") {
  auto workflow = YAML::LoadFile((kRoot / ".github/workflows/concurrent-agent-startup.yml").string());
  const auto on = workflow["on"];
  REQUIRE(on.IsMap());
  REQUIRE(on["schedule"].IsSequence());
  CHECK(words(on["schedule"][0]["cron"].as<std::string>()).size() == 5);
  CHECK(on["workflow_dispatch"].IsDefined());

  auto help = cast_run_help();
  REQUIRE(lists_flag(help, "--users"));  // the help is the real one
  std::vector<CastRunCall> calls;
  YAML::Node upload;
  std::set<std::string> actions;
  for (const auto& job : workflow["jobs"]) {
    const YAML::Node steps = job.second["steps"];
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const YAML::Node step = steps[i];
      if (step["uses"]) {
        auto uses = step["uses"].as<std::string>();
        actions.insert(uses.substr(0, uses.find('@')));
        if (uses.starts_with("actions/upload-artifact@")) upload = step;
      }
      if (!step["run"]) continue;
      std::istringstream lines(step["run"].as<std::string>());
      for (std::string line; std::getline(lines, line);) {
        if (auto call = check_command(line)) calls.push_back(*call);
      }
    }
  }
  CHECK(actions.count("actions/checkout") == 1);
  REQUIRE(calls.size() == 1);
  const auto& call = calls.front();
  for (const auto& arg : call.args) {
    if (!arg.starts_with("--")) continue;
    CHECK_MESSAGE(lists_flag(help, arg), "cast run --help does not list " << arg);
  }
  CHECK(flag_value(call, "--users") == "50");

  REQUIRE(upload.IsDefined());
  CHECK(upload["if"].as<std::string>() == "always()");
  auto uploaded = words(upload["with"]["path"].as<std::string>());
  for (const char* report : {"--report-file", "--junit", "--html"}) {
    auto file = flag_value(call, report);
    CHECK_MESSAGE(!file.empty(), "the run writes no " << report);
    CHECK_MESSAGE(std::find(uploaded.begin(), uploaded.end(), file) != uploaded.end(), file << " is not uploaded");
  }
}
