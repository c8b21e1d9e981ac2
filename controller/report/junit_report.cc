#include "controller/report/junit_report.h"

#include <sstream>

namespace cast::controller {
namespace {

// Findings listed in a suite's <system-out>, at most.
constexpr std::size_t kMaxSuiteFindings = 50;

struct SuiteCounts {
  std::size_t tests{0}, failures{0}, skipped{0};
};

bool is_failure(const Criterion& criterion) { return !criterion.passed && !criterion.warning && criterion.measured; }

SuiteCounts count(const TestCaseResult& result) {
  SuiteCounts counts;
  if (result.criteria.empty()) {
    counts.tests = 1;
    counts.skipped = result.verdict == CaseVerdict::not_evaluated ? 1 : 0;
    return counts;
  }
  for (const Criterion& criterion : result.criteria) {
    ++counts.tests;
    counts.failures += is_failure(criterion) ? 1 : 0;
    counts.skipped += criterion.measured ? 0 : 1;
  }
  return counts;
}

void write_criterion(std::ostream& out, TestCaseId case_id, const Criterion& criterion) {
  out << "    <testcase classname=\"" << xml_escape(to_string(case_id)) << "\" name=\"" << xml_escape(criterion.name)
      << "\"";
  std::string detail = "threshold " + criterion.threshold + "; observed " + criterion.observed;
  if (!criterion.measured) {
    out << "><skipped message=\"not measured\"/></testcase>\n";
  } else if (is_failure(criterion)) {
    out << ">\n      <failure type=\"criterion\" message=\"" << xml_escape(detail) << "\">" << xml_escape(detail)
        << "</failure>\n    </testcase>\n";
  } else if (criterion.warning) {
    out << ">\n      <system-out>warning (isolation not strict): " << xml_escape(detail)
        << "</system-out>\n    </testcase>\n";
  } else {
    out << "/>\n";
  }
}

void write_findings(std::ostream& out, const RunVerdict& verdict, TestCaseId case_id) {
  std::ostringstream text;
  std::size_t listed = 0, total = 0;
  for (const Finding& f : verdict.findings) {
    if (f.test_case != case_id) {
      continue;
    }
    if (++total <= kMaxSuiteFindings) {
      text << to_string(f.kind) << ": " << f.observer << " saw data of " << f.owner << " via " << f.channel << " "
           << f.where << ": " << f.excerpt << "\n";
      ++listed;
    }
  }
  if (total > listed) {
    text << (total - listed) << " more findings in the JSON report\n";
  }
  if (total > 0) {
    out << "    <system-out>" << xml_escape(text.str()) << "</system-out>\n";
  }
}

void write_suite(std::ostream& out, const RunVerdict& verdict, const TestCaseResult& result) {
  SuiteCounts counts = count(result);
  const char* id = to_string(result.id);
  out << "  <testsuite name=\"" << xml_escape(id) << "\" tests=\"" << counts.tests << "\" failures=\""
      << counts.failures << "\" errors=\"0\" skipped=\"" << counts.skipped << "\">\n";
  out << "    <properties><property name=\"title\" value=\"" << xml_escape(result.title) << "\"/></properties>\n";
  if (result.criteria.empty()) {
    out << "    <testcase classname=\"" << xml_escape(id) << "\" name=\"" << xml_escape(id) << "\"><skipped message=\""
        << xml_escape(result.note) << "\"/></testcase>\n";
  }
  for (const Criterion& criterion : result.criteria) {
    write_criterion(out, result.id, criterion);
  }
  write_findings(out, verdict, result.id);
  out << "  </testsuite>\n";
}

void write_harness_suite(std::ostream& out, const RunVerdict& verdict) {
  bool invalid = verdict.kind == RunVerdictKind::invalid;
  out << "  <testsuite name=\"harness\" tests=\"1\" failures=\"" << (invalid ? 1 : 0)
      << "\" errors=\"0\" skipped=\"0\">\n    <testcase classname=\"harness\" name=\"run_valid\"";
  if (!invalid) {
    out << "/>\n  </testsuite>\n";
    return;
  }
  std::string reasons;
  for (const std::string& reason : verdict.invalid_reasons) {
    reasons += (reasons.empty() ? "" : "; ") + reason;
  }
  out << ">\n      <failure type=\"invalid_run\" message=\"" << xml_escape(reasons) << "\">" << xml_escape(reasons)
      << "</failure>\n    </testcase>\n  </testsuite>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        bool forbidden = static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
        out += forbidden ? '?' : c;
    }
  }
  return out;
}

std::string render_junit_report(const RunReport& report) {
  SuiteCounts total;
  for (const TestCaseResult& result : report.verdict.test_cases) {
    SuiteCounts counts = count(result);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.skipped += counts.skipped;
  }
  bool invalid = report.verdict.kind == RunVerdictKind::invalid;
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"cast " << xml_escape(report.record.run_id) << "\" tests=\"" << total.tests + 1
      << "\" failures=\"" << total.failures + (invalid ? 1 : 0) << "\" errors=\"0\" skipped=\"" << total.skipped
      << "\" time=\"" << report.record.duration_s << "\">\n";
  for (const TestCaseResult& result : report.verdict.test_cases) {
    write_suite(out, report.verdict, result);
  }
  write_harness_suite(out, report.verdict);
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace cast::controller
