#pragma once

// What every report renders, and how a report that cannot be written fails.

#include <stdexcept>
#include <string>
#include <vector>

#include "controller/analysis/run_record.h"
#include "controller/analysis/verdict.h"
#include "controller/config/run_config.h"

namespace cast::controller {

// One judged run. The report writers read it and never change it; nothing
// in it holds a token or secret, and the writers leave out the config's
// URLs (a database URL may carry a password).
struct RunReport {
  const RunRecord& record;
  const RunVerdict& verdict;
  const RunConfig& config;
};

// A report file could not be written; what() names the report and the path.
class ReportWriteError : public std::runtime_error {
 public:
  ReportWriteError(const std::string& path, const std::string& what) : std::runtime_error(what), path_(path) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `content` to `path`, replacing it. Throws ReportWriteError naming
// `report` ("JSON report") and the path, with the system's reason.
void write_report_file(const std::string& path, const std::string& content, const std::string& report);

struct ReportOutcome {
  std::vector<std::string> written;  // "JSON report: /path", one per report written
  std::vector<std::string> errors;   // one per report that could not be written
};

// Writes the JSON report to config.report_file, the JUnit XML to
// config.junit_file and the HTML page to config.html_file (each when set).
// One failing does not stop the others;
// the caller decides what a failure does to the exit code.
ReportOutcome write_reports(const RunReport& report);

}  // namespace cast::controller
