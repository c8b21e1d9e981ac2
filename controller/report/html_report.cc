#include "controller/report/html_report.h"

#include "controller/report/html_sections.h"
#include "controller/report/html_text.h"

namespace cast::controller {
namespace html {

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + html_escape(title) + "</h2>" + body + "</section>\n";
}

std::string element(const std::string& tag, const std::string& css, const std::string& content) {
  std::string open = css.empty() ? "<" + tag + ">" : "<" + tag + " class=\"" + css + "\">";
  return open + content + "</" + tag + ">";
}

std::string cell(const std::string& text, const std::string& css) { return element("td", css, html_escape(text)); }

std::string verdict_css(const std::string& verdict) {
  return verdict == "not evaluated" || verdict == "not_evaluated" ? "not-evaluated" : verdict;
}

std::string measured(bool known, const std::string& figure) {
  return known ? html_escape(figure) : "<span class=\"not-measured\">not measured</span>";
}

namespace {

std::string navigation() {
  return "<nav><a href=\"#verdict\">verdict</a><a href=\"#startup\">startup latency</a>"
         "<a href=\"#harness\">harness</a><a href=\"#test-cases\">test cases</a><a href=\"#findings\">findings</a>"
         "<a href=\"#timeline\">timeline</a><a href=\"#resources\">resources</a><a href=\"#notes\">notes</a></nav>\n";
}

}  // namespace
}  // namespace html

std::string render_html_report(const RunReport& report) {
  std::string title = "cast " + report.record.run_id + ": " + to_string(report.verdict.kind);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // Nothing may be fetched: the page is read offline, and payloads must not reach out.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "img-src data:\">\n<title>" +
      html_escape(title) + "</title>\n<style>" + html::report_style() + "</style>\n</head>\n<body class=\"run-" +
      html::verdict_css(to_string(report.verdict.kind)) + "\">\n<main>\n";
  out += html::verdict_section(report);
  out += html::navigation();
  out += html::startup_section(report);
  out += html::harness_section(report);
  out += html::cases_section(report);
  out += html::findings_section(report);
  out += html::timeline_section(report);
  out += html::resources_section(report);
  out += html::notes_section(report);
  out += "<footer>cast.report/v1 &middot; the JSON report carries every figure of this page</footer>\n";
  return out + "</main>\n</body>\n</html>\n";
}

}  // namespace cast::controller
