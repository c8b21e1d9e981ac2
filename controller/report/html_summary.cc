// The verdict banner and the test cases: what the console summary's header,
// case tables and invalid-run reasons say, in the same order.

#include <algorithm>

#include "controller/report/html_sections.h"
#include "controller/report/html_text.h"

namespace cast::controller::html {
namespace {

const char* result_of(const Criterion& criterion) {
  if (!criterion.measured) return "N/A";
  if (criterion.passed) return "PASS";
  return criterion.warning ? "WARN" : "FAIL";
}

const char* result_css(const Criterion& criterion) {
  if (!criterion.measured) return "result r-na";
  if (criterion.passed) return "result r-pass";
  return criterion.warning ? "result r-warn" : "result r-fail";
}

std::string list_item(const std::string& text) { return "<li>" + html_escape(text) + "</li>"; }

// Every failed criterion in words, for the banner.
std::string failed_criteria(const RunVerdict& verdict) {
  std::string items;
  for (const TestCaseResult& result : verdict.test_cases) {
    for (const Criterion& c : result.criteria) {
      if (c.measured && !c.passed && !c.warning) {
        items += list_item(result.title + ": " + c.name + " observed " + c.observed + ", threshold " + c.threshold);
      }
    }
  }
  return items;
}

std::string reasons(const RunReport& report) {
  const RunVerdict& verdict = report.verdict;
  std::string out;
  if (!verdict.invalid_reasons.empty()) {
    out +=
        "<div class=\"why-title\">The run is invalid: it says nothing about the platform, because:</div>"
        "<ul class=\"why invalid-reasons\">";
    for (const std::string& reason : verdict.invalid_reasons) out += list_item(reason);
    out += "</ul>";
  }
  std::string failed = failed_criteria(verdict);
  if (!failed.empty())
    out += "<div class=\"why-title\">Failed criteria:</div><ul class=\"why failed-criteria\">" + failed + "</ul>";
  if (!verdict.findings.empty()) {
    out += "<div class=\"why-title\">" + std::to_string(verdict.findings.size()) +
           " isolation finding(s): one user saw, read or changed another's data (<a "
           "href=\"#findings\">findings</a>).</div>";
  }
  if (out.empty())
    out = "<div class=\"why-title\">Every evaluated criterion passed and no isolation finding was made.</div>";
  return out;
}

std::string chips(const RunVerdict& verdict) {
  std::string out = "<div class=\"chips\">";
  for (const TestCaseResult& result : verdict.test_cases) {
    out += "<a class=\"chip " + verdict_css(to_string(result.verdict)) + "\" href=\"#case-" +
           html_escape(to_string(result.id)) + "\">" + html_escape(result.title) + ": " + to_string(result.verdict) +
           "</a>";
  }
  return out + "</div>";
}

std::string figure(const std::string& value, const std::string& label) {
  return "<div class=\"figure\"><b>" + value + "</b><span>" + html_escape(label) + "</span></div>";
}

std::string figures(const RunReport& report) {
  const RunRecord& record = report.record;
  const LatencySummaryMs& s = report.verdict.startup_ms;
  auto done = std::count_if(record.users.begin(), record.users.end(), [](const UserOutcome& u) { return u.done; });
  bool timed = s.count > 0;
  std::string out = "<div class=\"figures\">";
  out += figure(std::to_string(done) + " / " + std::to_string(record.users_planned), "users done / planned");
  out += figure(html_figure(record.duration_s, 2) + " s", "duration");
  out += figure(timed ? html_figure(s.p50) + " ms" : "&ndash;", "startup P50");
  out += figure(timed ? html_figure(s.p95) + " ms" : "&ndash;", "startup P95");
  out += figure(timed ? html_figure(s.p99) + " ms" : "&ndash;", "startup P99");
  out += figure(std::to_string(report.verdict.findings.size()), "isolation findings");
  out += figure(html_figure(report.verdict.harness_max_lag_ms) + " ms", "max schedule lag");
  return out + "</div>";
}

std::string criteria_table(const TestCaseResult& result) {
  std::string rows;
  for (const Criterion& c : result.criteria) {
    bool failed = c.measured && !c.passed && !c.warning;
    rows += "<tr class=\"criterion" + std::string(failed ? " row-fail" : "") + "\">" + cell(c.name) +
            cell(c.threshold) + element("td", "", measured(c.measured, c.observed)) +
            cell(result_of(c), result_css(c)) + "</tr>";
  }
  return "<table class=\"criteria\"><thead><tr><th>criterion</th><th>threshold</th><th>observed</th>"
         "<th>result</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

}  // namespace

std::string verdict_section(const RunReport& report) {
  const RunVerdict& verdict = report.verdict;
  std::string word = to_string(verdict.kind);
  std::string out = "<section id=\"verdict\" class=\"verdict " + verdict_css(word) + "\">";
  out += "<h1><span class=\"verdict-word\">" + html_escape(word) + "</span></h1>";
  out += "<div class=\"run-line\">cast run " + html_escape(report.record.run_id) + " &middot; " +
         std::to_string(report.record.users_planned) + " users &middot; exit code " +
         std::to_string(verdict.exit_code()) + "</div>";
  out += reasons(report) + chips(verdict) + figures(report);
  return out + "</section>\n";
}

std::string cases_section(const RunReport& report) {
  std::string body;
  for (const TestCaseResult& result : report.verdict.test_cases) {
    std::string css = verdict_css(to_string(result.verdict));
    body += "<div class=\"case " + css + "\" id=\"case-" + html_escape(to_string(result.id)) + "\"><h3>" +
            html_escape(result.title) + "<span class=\"badge " + css + "\">" + to_string(result.verdict) +
            "</span></h3>";
    if (!result.note.empty()) body += element("div", "note", html_escape(result.note));
    if (!result.criteria.empty()) body += criteria_table(result);
    body += "</div>";
  }
  return section("test-cases", "Test cases", body);
}

}  // namespace cast::controller::html
