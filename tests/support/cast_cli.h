#pragma once

// Runs the real `cast` binary as a user would, for end-to-end tests: its
// exit code, what it printed, and its JSON report.

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cast::test {

struct CastRun {
  int exit_code{-1};
  std::string output;     // stdout and stderr together
  nlohmann::json report;  // null when no report was written
  std::string junit;      // JUnit XML, empty when none
  std::string log;        // the run's log file, empty when none

  // The test case with this id in the report (throws when absent).
  const nlohmann::json& test_case(const std::string& id) const;
  const nlohmann::json& criterion(const std::string& test_case_id, const std::string& name) const;
  std::size_t findings_of_kind(const std::string& kind) const;
};

// `cast <args>` (for `run` and `controller`) with a JSON report and JUnit file in a private folder and
// the extra environment given; fails the test if it runs past `timeout`.
CastRun run_cast(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                 std::chrono::seconds timeout = std::chrono::seconds{300});

// `cast run <args>` on the embedded default, expecting exit code 1 with
// `test_case` failed and, when `kind` is given, findings of that kind whose
// observer and owner are named. Prints one summary line (the proof matrix).
CastRun expect_caught(std::vector<std::string> args, const std::string& test_case, const std::string& kind = "");

}  // namespace cast::test
