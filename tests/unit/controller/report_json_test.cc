#include <doctest/doctest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "controller/analysis/judge.h"
#include "controller/report/json_report.h"
#include "tests/unit/controller/analysis_run_fixture.h"

using namespace cast::controller;  // the code under test

namespace {

using nlohmann::json;

bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  return false;
}

// The subset of JSON Schema the report's schema uses for its shape:
// `type`, `required`, `properties` and `items`, recursively. Not a validator.
void check_shape(const json& schema, const json& value, const std::string& at, std::vector<std::string>& errors) {
  if (schema.contains("type")) {
    json types = schema["type"].is_array() ? schema["type"] : json::array({schema["type"]});
    bool any = std::any_of(types.begin(), types.end(), [&](const json& t) { return has_type(value, t); });
    if (!any) {
      errors.push_back(at + ": expected " + schema["type"].dump() + ", got " + value.dump().substr(0, 40));
      return;
    }
  }
  if (value.is_object()) {
    const json required = schema.value("required", json::array());
    const json properties = schema.value("properties", json::object());
    for (const auto& key : required) {
      if (!value.contains(key.get<std::string>())) {
        errors.push_back(at + ": missing " + key.get<std::string>());
      }
    }
    for (const auto& [key, sub] : properties.items()) {
      if (value.contains(key)) {
        check_shape(sub, value[key], at + "/" + key, errors);
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      check_shape(schema["items"], value[i], at + "/" + std::to_string(i), errors);
    }
  }
}

json load_schema() {
  std::ifstream in(std::string(CAST_SOURCE_DIR) + "/controller/report/cast-report.schema.json");
  REQUIRE(in);
  return json::parse(in);
}

// A run with something in every list: findings, failed users, notes.
struct SpoiltRun {
  cast::testing::CleanRun run = cast::testing::clean_run();
  cast::controller::RunVerdict verdict;

  SpoiltRun() {
    run.record.users[3].agent_id = "agent-1";
    run.record.users[2].done = false;
    run.record.users[2].failed = true;
    run.record.users[2].failed_phase = "start";
    run.record.users[2].error_kind = "timeout";
    run.record.users[2].error_message = "no agent_started within 30 s";
    run.record.notes.push_back("worker w-1 reconnected once");
    run.config.postgres_url = "postgresql://cast:hunter2@127.0.0.1:5432/cast";
    run.config.report_file = "/tmp/report.json";
    verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  }
  cast::controller::RunReport report() const { return {run.record, verdict, run.config}; }
};

std::vector<std::string> shape_errors(const json& report) {
  std::vector<std::string> errors;
  check_shape(load_schema(), report, "", errors);
  return errors;
}

}  // namespace

TEST_CASE("the JSON report has the required keys and matches its schema") {
  SpoiltRun spoilt;
  json report = json::parse(cast::controller::render_json_report(spoilt.report()));
  CHECK(report["schema"] == "cast.report/v1");
  CHECK(report["run_id"] == "run-20260101-120000-abc123");
  CHECK(report["verdict"] == "failed");
  CHECK(report["exit_code"] == 1);
  CHECK(report["users"] == 10);
  CHECK(report["startup_ms"]["count"] == 10);
  REQUIRE(report["test_cases"].size() == 5);
  CHECK(report["test_cases"][0]["id"] == "startup_isolation");
  CHECK(report["test_cases"][0]["criteria"][0]["name"] == "unique_agent_ids");
  CHECK(report["test_cases"][0]["criteria"][0]["passed"] == false);
  CHECK(report["test_cases"][1]["verdict"] == "not_evaluated");
  CHECK(report["findings"].size() >= 1);
  CHECK(report["findings_total"] == report["findings"].size());
  CHECK(report["findings"][0]["kind"] == "duplicate_agent_id");
  CHECK(report["workers"].size() == 2);
  CHECK(report["resources"]["samples"].size() == 3);
  CHECK(report["resources"]["peak_platform_rss_mb"] == doctest::Approx(202));
  CHECK(report["harness"]["start_skew_ms"] == doctest::Approx(3));
  REQUIRE(report["users_failed"].size() == 1);
  CHECK(report["users_failed"][0]["error_kind"] == "timeout");
  CHECK(report["config"]["thresholds"]["p95_limit_s"] == doctest::Approx(5));

  auto errors = shape_errors(report);
  for (const auto& error : errors) {
    FAIL_CHECK(error);
  }
}

TEST_CASE("the schema check catches a missing key and a wrong type") {
  SpoiltRun spoilt;
  json report = cast::controller::build_json_report(spoilt.report());
  report.erase("run_id");
  report["test_cases"][2]["criteria"][0]["passed"] = "yes";
  auto errors = shape_errors(report);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == ": missing run_id");
  CHECK(errors[1].find("/test_cases/2/criteria/0/passed: expected \"boolean\"") == 0);
}

TEST_CASE("the JSON report carries no target URL or password") {
  SpoiltRun spoilt;
  std::string text = cast::controller::render_json_report(spoilt.report());
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("postgresql://") == std::string::npos);
  CHECK(text.find("/tmp/report.json") == std::string::npos);
}

TEST_CASE("bytes that are not UTF-8 in a payload excerpt do not break the JSON report") {
  SpoiltRun spoilt;
  spoilt.verdict.findings[0].excerpt = "cut \xC3";
  json report = json::parse(cast::controller::render_json_report(spoilt.report()));
  CHECK(report["findings"][0]["excerpt"].get<std::string>().starts_with("cut "));
}

TEST_CASE(
    "reports go to their files, and an unwritable path is an error naming it while the others are still written") {
  SpoiltRun spoilt;
  auto dir = std::filesystem::temp_directory_path() / ("cast-report-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  spoilt.run.config.report_file = (dir / "missing-folder" / "report.json").string();
  spoilt.run.config.junit_file = (dir / "junit.xml").string();
  auto outcome = cast::controller::write_reports(spoilt.report());
  REQUIRE(outcome.errors.size() == 1);
  CHECK(outcome.errors[0].find("cannot write JSON report to '" + spoilt.run.config.report_file + "'") == 0);
  CHECK(outcome.errors[0].find("No such file or directory") != std::string::npos);
  REQUIRE(outcome.written.size() == 1);
  CHECK(outcome.written[0] == "JUnit report: " + spoilt.run.config.junit_file);
  CHECK(std::filesystem::file_size(spoilt.run.config.junit_file) > 0);

  spoilt.run.config.report_file = (dir / "report.json").string();
  outcome = cast::controller::write_reports(spoilt.report());
  CHECK(outcome.errors.empty());
  std::ifstream in(spoilt.run.config.report_file);
  CHECK(json::parse(in)["verdict"] == "failed");

  CHECK_THROWS_AS(cast::controller::write_report_file((dir / "x" / "y").string(), "{}", "JSON report"),
                  cast::controller::ReportWriteError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a run stopped before the go: JSON names the reason and exit code, leaves latency null, fits the schema") {
  auto run = cast::testing::clean_run();
  for (auto& user : run.record.users) user.start_us.reset();
  run.record.resources.clear();
  auto verdict =
      cast::controller::judge_unstarted_run(run.record, "workers: only 0 of 2 workers attached within 2000 ms", 4);
  json report = cast::controller::build_json_report({run.record, verdict, run.config});
  CHECK(report["verdict"] == "invalid");
  CHECK(report["exit_code"] == 4);
  REQUIRE(report["invalid_reasons"].size() == 1);
  CHECK(report["invalid_reasons"][0] == "workers: only 0 of 2 workers attached within 2000 ms");
  CHECK(report["startup_ms"]["count"] == 0);
  for (const char* key : {"mean", "p50", "p90", "p95", "p99", "max"}) {
    CHECK_MESSAGE(report["startup_ms"][key].is_null(), key);
  }
  for (const auto& test_case : report["test_cases"]) {
    CHECK(test_case["verdict"] == "not_evaluated");
  }
  for (const auto& error : shape_errors(report)) {
    FAIL_CHECK(error);
  }
}

TEST_CASE("the JSON report carries the harness's self-measurement, the load shape and the controller's timings") {
  SpoiltRun spoilt;
  auto& record = spoilt.run.record;
  record.workers[0].max_loop_lag_us = 12'500;
  record.workers[0].harness_errors = 1;
  record.workers[0].errors_by_kind = {{"timeout", 1}};
  record.workers[1].failures_by_phase = {{"PHASE_START", 2}};
  record.users[0].start_us = 70'000;
  record.users[0].platform_startup_us = 60'000;
  record.users[1].start_us = 50'000;
  record.users[1].platform_startup_us = 48'000;
  record.timings.contamination_scan_s = 0.25;
  spoilt.run.config.hold = std::chrono::seconds{3};
  spoilt.run.config.ramp = std::chrono::milliseconds{1500};
  spoilt.verdict = cast::controller::judge_run(record, spoilt.run.config, spoilt.run.planned);
  json report = json::parse(cast::controller::render_json_report(spoilt.report()));
  const auto& harness = report["harness"];
  CHECK(harness["max_loop_lag_ms"] == doctest::Approx(12.5));
  CHECK(harness["harness_errors"] == 1);
  CHECK(harness["errors_by_kind"]["timeout"] == 1);
  CHECK(harness["failures_by_phase"]["PHASE_START"] == 2);
  CHECK(harness["added_startup_ms"]["count"] == 2);
  CHECK(harness["added_startup_ms"]["p50"] == doctest::Approx(2));
  CHECK(harness["added_startup_ms"]["p99"] == doctest::Approx(10));
  CHECK(report["workers"][0]["harness_errors"] == 1);
  CHECK(report["timings_s"]["contamination_scan"] == doctest::Approx(0.25));
  CHECK(report["config"]["load"]["hold_s"] == doctest::Approx(3));
  CHECK(report["config"]["load"]["ramp_s"] == doctest::Approx(1.5));
  CHECK(report["config"]["thresholds"]["max_harness_errors"] == 0);
  CHECK(report["verdict"] == "invalid");  // one harness error, limit 0
  for (const auto& error : shape_errors(report)) {
    FAIL_CHECK(error);
  }
}
