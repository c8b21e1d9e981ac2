#include "controller/report/run_report.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "controller/report/html_report.h"
#include "controller/report/json_report.h"
#include "controller/report/junit_report.h"

namespace cast::controller {
namespace {

void write_one(ReportOutcome& outcome, const std::string& path, const std::string& report,
               std::string (*render)(const RunReport&), const RunReport& run) {
  if (path.empty()) {
    return;
  }
  try {
    write_report_file(path, render(run), report);
    outcome.written.push_back(report + ": " + path);
  } catch (const ReportWriteError& error) {
    outcome.errors.push_back(error.what());
  }
}

}  // namespace

void write_report_file(const std::string& path, const std::string& content, const std::string& report) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw ReportWriteError(path, "cannot write " + report + " to '" + path + "': " + std::strerror(errno));
  }
  out << content;
  out.close();
  if (!out) {
    throw ReportWriteError(path, "cannot write " + report + " to '" + path + "': " + std::strerror(errno));
  }
}

ReportOutcome write_reports(const RunReport& report) {
  ReportOutcome outcome;
  write_one(outcome, report.config.report_file, "JSON report", render_json_report, report);
  write_one(outcome, report.config.junit_file, "JUnit report", render_junit_report, report);
  write_one(outcome, report.config.html_file, "HTML report", render_html_report, report);
  return outcome;
}

}  // namespace cast::controller
