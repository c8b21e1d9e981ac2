#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "controller/analysis/judge.h"
#include "controller/report/console_summary.h"
#include "tests/unit/controller/analysis_run_fixture.h"

using namespace cast::controller;  // the code under test

namespace {

std::string summary_of(const cast::testing::CleanRun& run, const cast::controller::RunVerdict& verdict,
                       const cast::controller::ReportOutcome& outcome = {}) {
  std::ostringstream out;
  cast::controller::print_console_summary(out, {run.record, verdict, run.config}, outcome);
  return out.str();
}

void check_width(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    CHECK_MESSAGE(line.size() <= 100, line);
  }
}

}  // namespace

TEST_CASE("console summary: header, every criterion with threshold, observed and result") {
  auto run = cast::testing::clean_run();
  run.record.users[0].start_us = 9'000'000;
  run.record.resources.clear();
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  std::string text = summary_of(run, verdict, {{"JSON report: /tmp/r.json"}, {}});
  CHECK(text.starts_with("cast run-20260101-120000-abc123: 10 users in 4.5 s -> FAILED (exit 1)\n"));
  CHECK(text.find("1 startup isolation: failed (1 of 5 criteria failed)") != std::string::npos);
  CHECK(text.find("2 cross-contamination: not_evaluated (not evaluated: no contamination scan ran)") !=
        std::string::npos);
  CHECK(text.find("  startup_p95_s              < 5.00 s           9.000 s of 10") != std::string::npos);
  CHECK(text.find("FAIL\n") != std::string::npos);
  CHECK(text.find("not measured") != std::string::npos);
  CHECK(text.find(" N/A\n") != std::string::npos);
  CHECK(text.find("written JSON report: /tmp/r.json") != std::string::npos);
  for (const auto& result : verdict.test_cases) {
    for (const auto& criterion : result.criteria) {
      CHECK(text.find("  " + criterion.name + " ") != std::string::npos);
    }
  }
  check_width(text);
}

TEST_CASE("console summary: the harness's own measurements and the load shape") {
  auto run = cast::testing::clean_run();
  run.record.workers[0].max_loop_lag_us = 4'000;
  run.record.workers[1].failures_by_phase = {{"PHASE_CONNECT", 1}};
  run.record.users[0].start_us = 65'000;
  run.record.users[0].platform_startup_us = 60'000;
  run.config.hold = std::chrono::seconds{3};
  run.config.hold_interval = std::chrono::seconds{1};
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  std::string text = summary_of(run, verdict);
  CHECK(text.find("harness self-measurement: loop lag 4.0 ms, 0 harness errors, added to startup p50 5.0 ms") !=
        std::string::npos);
  CHECK(text.find("failures by phase: PHASE_CONNECT 1\n") != std::string::npos);
  CHECK(text.find("load: each connection held 3.0 s after its session, a message every 1.0 s\n") != std::string::npos);
  check_width(text);
}

TEST_CASE("console summary: the first 20 findings, a count of the rest, invalid reasons and report errors") {
  auto run = cast::testing::clean_run();
  run.record.workers[0].lost = true;
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  for (int i = 0; i < 23; ++i) {
    verdict.findings.push_back(
        {cast::controller::FindingKind::misrouted_reply, cast::controller::TestCaseId::websocket_scaling, "u-000001",
         "u-00000" + std::to_string(i % 10), "ws", "agent_response", std::string(300, 'x') + ">>>foreign<<<", 0.5});
  }
  cast::controller::ReportOutcome outcome;
  outcome.errors.push_back(
      "cannot write JSON report to '/nonexistent/folder/with/a/rather/long/name/that/goes/on/"
      "and/on/report.json': No such file or directory");
  std::string text = summary_of(run, verdict, outcome);
  CHECK(text.find("findings (23):") != std::string::npos);
  CHECK(text.find("  ... and 3 more (see the JSON report)") != std::string::npos);
  CHECK(text.find("run INVALID") != std::string::npos);
  CHECK(text.find("  - worker w-0 (127.0.0.1, pid 4000) was lost") != std::string::npos);
  // The long path goes to a line of its own rather than past the margin.
  CHECK(text.find("report error: cannot write JSON report to\n    '/nonexistent/folder/") != std::string::npos);
  CHECK(text.find("No such file") != std::string::npos);
  // A long excerpt is cut around its marked part, which stays visible.
  CHECK(text.find("x>>>foreign<<<\n") != std::string::npos);
  CHECK(text.find("-> INVALID (exit 4)") != std::string::npos);
  check_width(text);
}

TEST_CASE("console summary: a run stopped before the go names its reason and measured no startups") {
  auto run = cast::testing::clean_run();
  for (auto& user : run.record.users) user.start_us.reset();
  auto verdict = cast::controller::judge_unstarted_run(
      run.record, "the platform could not be reached: auth at http://127.0.0.1:9 cannot be reached", 3);
  std::string text = summary_of(run, verdict);
  CHECK(text.find("-> INVALID (exit 3)") != std::string::npos);
  CHECK(text.find("startup ms: no startups measured\n") != std::string::npos);
  CHECK(text.find("n=0") == std::string::npos);
  CHECK(text.find("1 startup isolation: not_evaluated (not evaluated: the run stopped before the go)") !=
        std::string::npos);
  CHECK(text.find("run INVALID, it says nothing about the platform, because:\n"
                  "  - the platform could not be reached: auth at http://127.0.0.1:9 cannot be reached\n") !=
        std::string::npos);
  check_width(text);
}

TEST_CASE("console summary: an interrupted run prints its reason under the invalid heading") {
  auto run = cast::testing::clean_run();
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  cast::controller::mark_stopped(verdict, "the run was interrupted by signal 2", 4);
  std::string text = summary_of(run, verdict);
  CHECK(text.find("-> INVALID (exit 4)") != std::string::npos);
  CHECK(text.find("because:\n  - the run was interrupted by signal 2\n") != std::string::npos);
}
