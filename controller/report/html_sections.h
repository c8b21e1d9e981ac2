#pragma once

// The parts of the HTML report (html_report.h), each a <section> with an
// id the browser test looks for. Internal to controller/report.

#include <string>

#include "controller/report/run_report.h"

namespace cast::controller::html {

std::string verdict_section(const RunReport& report);    // #verdict: banner, reasons, key figures
std::string startup_section(const RunReport& report);    // #startup: histogram and CDF
std::string harness_section(const RunReport& report);    // #harness: per-worker table
std::string cases_section(const RunReport& report);      // #test-cases: criteria tables
std::string findings_section(const RunReport& report);   // #findings: grouped findings
std::string timeline_section(const RunReport& report);   // #timeline: phases, startups, failures
std::string resources_section(const RunReport& report);  // #resources: platform memory and CPU
std::string notes_section(const RunReport& report);      // #notes: what the run wants a reader to know
std::string report_style();                              // the page's CSS

// <section id="id"><h2>title</h2>body</section>
std::string section(const std::string& id, const std::string& title, const std::string& body);
// <tag class="css">content</tag>; content is HTML already.
std::string element(const std::string& tag, const std::string& css, const std::string& content);
// A table cell of escaped text.
std::string cell(const std::string& text, const std::string& css = "");
// "passed", "failed", "invalid" or "not-evaluated", for classes.
std::string verdict_css(const std::string& verdict);
// A figure with unit, or "not measured" set apart when there is none.
std::string measured(bool known, const std::string& figure);

}  // namespace cast::controller::html
