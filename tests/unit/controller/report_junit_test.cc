#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "controller/analysis/judge.h"
#include "controller/report/junit_report.h"
#include "tests/unit/controller/analysis_run_fixture.h"

using namespace cast::controller;  // the code under test

namespace {

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

// The attribute `name` of the first element that starts with `element`.
std::string attribute(const std::string& xml, const std::string& element, const std::string& name) {
  auto at = xml.find(element);
  REQUIRE(at != std::string::npos);
  auto value = xml.find(name + "=\"", at);
  REQUIRE(value != std::string::npos);
  value += name.size() + 2;
  return xml.substr(value, xml.find('"', value) - value);
}

}  // namespace

TEST_CASE("JUnit XML: a testcase per criterion, failures and skips counted") {
  auto run = cast::testing::clean_run();
  run.record.users[0].start_us = 9'000'000;  // fails max_startup_s, startup_p95_s and startup_p99_s
  run.record.resources.clear();              // memory and host CPU not measured
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  std::string xml = cast::controller::render_junit_report({run.record, verdict, run.config});

  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
  CHECK(occurrences(xml, "<testsuite ") == 6);  // five test cases and the harness
  // 5 + 6 + 3 criteria, one placeholder each for cases 2 and 5, and run_valid.
  CHECK(occurrences(xml, "<testcase ") == 17);
  CHECK(occurrences(xml, "<failure ") == 3);
  CHECK(occurrences(xml, "<skipped ") == 4);
  CHECK(attribute(xml, "<testsuites", "tests") == "17");
  CHECK(attribute(xml, "<testsuites", "failures") == "3");
  CHECK(attribute(xml, "<testsuites", "skipped") == "4");
  CHECK(attribute(xml, "<testsuite name=\"performance\"", "failures") == "2");
  CHECK(attribute(xml, "<testsuite name=\"performance\"", "skipped") == "2");
  CHECK(attribute(xml, "<testsuite name=\"cross_contamination\"", "skipped") == "1");
  CHECK(xml.find("<testcase classname=\"performance\" name=\"startup_p95_s\">\n      <failure type=\"criterion\" "
                 "message=\"threshold &lt; 5.00 s; observed 9.000 s of 10\"") != std::string::npos);
  CHECK(xml.find("<testcase classname=\"harness\" name=\"run_valid\"/>") != std::string::npos);
}

TEST_CASE("JUnit XML: an invalid run fails the harness testcase with its reasons") {
  auto run = cast::testing::clean_run();
  run.record.workers[1].lost = true;
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  std::string xml = cast::controller::render_junit_report({run.record, verdict, run.config});
  CHECK(occurrences(xml, "<failure ") == 1);
  CHECK(xml.find("<failure type=\"invalid_run\" message=\"worker w-1 (127.0.0.1, pid 4001) was lost") !=
        std::string::npos);
}

TEST_CASE("JUnit XML escapes markup and drops control characters") {
  CHECK(cast::controller::xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(cast::controller::xml_escape(std::string("x\x01y\tz\n", 6)) == "x?y\tz\n");

  auto run = cast::testing::clean_run();
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  verdict.test_cases[0].criteria[0].name = "<&>\"name";
  verdict.test_cases[0].criteria[0].passed = false;
  verdict.test_cases[0].criteria[0].observed = "</failure><x>";
  verdict.findings.push_back({cast::controller::FindingKind::misrouted_reply,
                              cast::controller::TestCaseId::startup_isolation, "u-1", "u-2", "ws", "frame",
                              "...\"a\":>>>\"<script>&\"<<<...", 0});
  std::string xml = cast::controller::render_junit_report({run.record, verdict, run.config});
  CHECK(xml.find("name=\"&lt;&amp;&gt;&quot;name\"") != std::string::npos);
  CHECK(xml.find("observed &lt;/failure&gt;&lt;x&gt;") != std::string::npos);
  CHECK(xml.find("&quot;&lt;script&gt;&amp;&quot;") != std::string::npos);
  CHECK(xml.find("<script>") == std::string::npos);
  CHECK(xml.find("<x>") == std::string::npos);
}

TEST_CASE("JUnit: a run stopped before the go fails the harness testcase with its reason") {
  auto run = cast::testing::clean_run();
  auto verdict = cast::controller::judge_unstarted_run(run.record, "interrupted by signal 2 before the go", 4);
  std::string xml = cast::controller::render_junit_report({run.record, verdict, run.config});
  CHECK(xml.find("<failure type=\"invalid_run\" message=\"interrupted by signal 2 before the go\">") !=
        std::string::npos);
}
