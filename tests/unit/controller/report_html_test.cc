#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "controller/analysis/judge.h"
#include "controller/report/html_report.h"
#include "controller/report/html_text.h"
#include "tests/unit/controller/analysis_run_fixture.h"

using namespace cast::controller;  // the code under test

namespace {

bool has(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

cast::controller::Finding hostile_finding() {
  cast::controller::Finding f;
  f.kind = cast::controller::FindingKind::foreign_canary;
  f.test_case = cast::controller::TestCaseId::cross_contamination;
  f.observer = "user-<i>1</i>";
  f.owner = "user-2\"onmouseover=\"alert(1)";
  f.channel = "ws";
  f.where = "agent_response '</td>'";
  f.excerpt = "</script><script>alert('x')</script> & \"q\" >>>canary-<b>7</b>&amp;<<< <img src=x onerror=alert(1)>";
  return f;
}

std::string render(cast::testing::CleanRun& run, cast::controller::RunVerdict& verdict) {
  return cast::controller::render_html_report({run.record, verdict, run.config});
}

}  // namespace

TEST_CASE("html escaping: markup, ampersands and quotes become entities, control characters spaces") {
  CHECK(cast::controller::html_escape("</script>&\"'") == "&lt;/script&gt;&amp;&quot;&#39;");
  CHECK(cast::controller::html_escape(std::string("a\0b\x1b"
                                                  "c\td",
                                                  7)) == "a b c\td");
  CHECK(cast::controller::html_escape("caf\xc3\xa9") == "caf\xc3\xa9");  // UTF-8 passes untouched
}

TEST_CASE("a finding excerpt is escaped everywhere and only its foreign value is marked") {
  auto html = cast::controller::excerpt_html(hostile_finding().excerpt);
  CHECK(html ==
        "&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
        "<mark>canary-&lt;b&gt;7&lt;/b&gt;&amp;amp;</mark> &lt;img src=x onerror=alert(1)&gt;");
  CHECK(cast::controller::excerpt_html("no marks <here>") == "no marks &lt;here&gt;");
  CHECK(cast::controller::excerpt_html("open >>>only") == "open <mark>only</mark>");
}

TEST_CASE("a long excerpt is cut around its mark, on a UTF-8 boundary") {
  std::string excerpt = std::string(300, 'a') + "\xc3\xa9\xc3\xa9 >>>foreign<<< " + std::string(300, 'z');
  auto html = cast::controller::excerpt_html(excerpt, 120);
  CHECK(html.starts_with("&hellip;"));
  CHECK(html.ends_with("&hellip;"));
  CHECK(has(html, "<mark>foreign</mark>"));
  CHECK(html.size() < 200);
  CHECK((static_cast<unsigned char>(html[8]) & 0xC0) != 0x80);  // no half character after the cut
}

TEST_CASE("the html report of a failed run: banner, cases, charts and hostile findings escaped") {
  auto run = cast::testing::clean_run();
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  verdict.kind = cast::controller::RunVerdictKind::failed;
  for (int i = 0; i < 30; ++i) verdict.findings.push_back(hostile_finding());
  run.record.notes.push_back("note with <script>alert(2)</script>");
  auto html = render(run, verdict);
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(has(html, "<body class=\"run-failed\">"));
  for (const char* id : {"verdict", "startup", "harness", "test-cases", "findings", "timeline", "resources", "notes"}) {
    CHECK_MESSAGE(has(html, std::string("<section id=\"") + id + "\""), id);
  }
  for (const char* chart : {"latency-histogram", "latency-cdf", "phase-timeline", "startup-rate", "failure-rate",
                            "platform-memory", "platform-cpu"}) {
    CHECK_MESSAGE(has(html, std::string("class=\"chart ") + chart + "\""), chart);
  }
  CHECK(has(html, "id=\"case-performance\""));
  CHECK(has(html, "<tr class=\"finding-group\">"));
  CHECK(has(html, "30 finding(s) across 1 observer &rarr; owner pair(s)"));
  CHECK(has(html, "<mark>canary-&lt;b&gt;7&lt;/b&gt;&amp;amp;</mark>"));
  CHECK(has(html, "user-2&quot;onmouseover=&quot;alert(1)"));
  // Nothing the run observed comes out as markup, and nothing is fetched.
  CHECK_FALSE(has(html, "<script"));
  CHECK_FALSE(has(html, "<img"));
  CHECK_FALSE(has(html, "<i>1"));
  CHECK_FALSE(has(html, "<link"));
  CHECK_FALSE(has(html, "https://"));
}

TEST_CASE("the html report of an invalid run names its reasons, and unknown figures say not measured") {
  auto run = cast::testing::clean_run();
  run.record.workers[1].lost = true;
  run.record.workers[1].peak_rss_bytes = 0;  // no heartbeat ever came
  run.record.resources.clear();
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  REQUIRE(verdict.kind == cast::controller::RunVerdictKind::invalid);
  auto html = render(run, verdict);
  CHECK(has(html, "<body class=\"run-invalid\">"));
  CHECK(has(html, "<ul class=\"why invalid-reasons\"><li>worker w-1"));
  CHECK(has(html, "<span class=\"not-measured\">not measured</span>"));
  CHECK(has(html, "platform memory not measured"));
  CHECK(has(html, "CPU not measured"));
}

TEST_CASE("the html report of a passed run with no startups says so instead of zeros") {
  auto run = cast::testing::clean_run();
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  REQUIRE(verdict.kind == cast::controller::RunVerdictKind::passed);
  CHECK(has(render(run, verdict), "Every evaluated criterion passed"));
  for (auto& user : run.record.users) user.start_us.reset();
  verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  auto html = render(run, verdict);
  CHECK(has(html, "no startups measured"));
  CHECK(has(html, "No startups measured"));
}

TEST_CASE("the html report of 10000 users with 5000 findings stays small") {
  auto run = cast::testing::clean_run(10'000);
  for (std::size_t i = 0; i < run.record.users.size(); ++i) {
    auto& user = run.record.users[i];
    auto offset = static_cast<std::int64_t>(i) * 100;
    user.began_at_us = offset;
    user.connected_at_us = offset + 13'000;
    user.agent_started_at_us = offset + 113'000;
    user.finished_at_us = offset + 200'000;
  }
  for (int s = 0; s < 3000; ++s) run.record.resources.push_back({s * 0.1, 50, 300, 20});
  auto verdict = cast::controller::judge_run(run.record, run.config, run.planned);
  for (int i = 0; i < 5000; ++i) {
    auto f = hostile_finding();
    f.observer = "user-" + std::to_string(i);
    f.kind =
        i % 3 == 0 ? cast::controller::FindingKind::foreign_request_id : cast::controller::FindingKind::foreign_canary;
    verdict.findings.push_back(f);
  }
  auto html = render(run, verdict);
  MESSAGE("html report of 10000 users and 5000 findings: " << html.size() << " bytes");
  CHECK(html.size() < 300'000);
  CHECK(has(html, "5000 finding(s) in 2 group(s)"));
}
