#include "controller/report/console_summary.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ostream>
#include <string_view>

#include "controller/analysis/harness_figures.h"

namespace cast::controller {
namespace {

constexpr std::size_t kWidth = 98;  // leaves a margin on a 100-column terminal
constexpr std::size_t kNameWidth = 26;
constexpr std::size_t kThresholdWidth = 18;
constexpr std::size_t kObservedWidth = 44;
constexpr std::size_t kShownFindings = 20;

// Control characters from payloads would break the layout.
std::string printable(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return out;
}

// Exactly `width` columns: cut with "..." or padded with spaces. Bytes stand
// in for columns; the cut backs off to a UTF-8 boundary.
std::string cell(std::string_view text, std::size_t width) {
  std::string out = printable(text);
  if (out.size() > width) {
    std::size_t cut = width - 3;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out = out.substr(0, cut) + "...";
  }
  return out + std::string(width > out.size() ? width - out.size() : 0, ' ');
}

// At most `width` columns, no padding.
std::string clip(std::string_view text, std::size_t width) {
  std::string out = cell(text, width);
  out.erase(out.find_last_not_of(' ') + 1);
  return out;
}

// An excerpt too long for the line is cut so that its marked part, the
// evidence, stays in view.
std::string around_marker(const std::string& excerpt, std::size_t width) {
  std::size_t marker = excerpt.find(">>>");
  if (excerpt.size() <= width || marker == std::string::npos || marker < width / 3) {
    return clip(excerpt, width);
  }
  std::size_t from = marker - width / 3;
  while (from < marker && (static_cast<unsigned char>(excerpt[from]) & 0xC0) == 0x80) {
    ++from;
  }
  return clip("..." + excerpt.substr(from), width);
}

// Long reasons broken at spaces, every line after the first indented.
void print_wrapped(std::ostream& out, std::string_view text, std::string_view first, std::string_view rest) {
  std::string line(first);
  bool fresh = true;  // nothing but the indent on this line yet
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = std::min(text.find(' ', pos), text.size());
    std::string word = printable(text.substr(pos, end - pos));
    if (!fresh && line.size() + word.size() + 1 > kWidth) {
      out << line << "\n";
      line = rest;
      fresh = true;
    }
    line += (fresh ? "" : " ") + word;
    fresh = false;
    pos = end + 1;
  }
  out << line << "\n";
}

std::string ms(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

const char* result_of(const Criterion& criterion) {
  if (!criterion.measured) {
    return "N/A";
  }
  if (criterion.passed) {
    return "PASS";
  }
  return criterion.warning ? "WARN" : "FAIL";
}

// The rest of the harness line: what the workers measured of themselves,
// then where failures happened, when any did.
void print_self_measurement(std::ostream& out, const HarnessFigures& figures) {
  out << "harness self-measurement: loop lag " << ms(figures.max_loop_lag_ms) << " ms, " << figures.harness_errors
      << " harness errors";
  if (figures.added_startup_ms.count > 0) {
    out << ", added to startup p50 " << ms(figures.added_startup_ms.p50) << " ms, p99 "
        << ms(figures.added_startup_ms.p99) << " ms";
  }
  out << "\n";
  if (!figures.failures_by_phase.empty()) {
    out << "failures by phase:";
    for (const auto& [phase, count] : figures.failures_by_phase) out << " " << phase << " " << count;
    out << "\n";
  }
}

void print_load_shape(std::ostream& out, const RunConfig& config) {
  if (config.ramp.count() == 0 && config.hold.count() == 0) return;
  auto s = [](std::chrono::milliseconds d) { return ms(static_cast<double>(d.count()) / 1000); };
  out << "load:";
  if (config.ramp.count() > 0) out << " starts spread over " << s(config.ramp) << " s";
  if (config.hold.count() > 0) {
    out << (config.ramp.count() > 0 ? ";" : "") << " each connection held " << s(config.hold)
        << " s after its session, a message every " << s(config.hold_interval) << " s";
  }
  out << "\n";
}

void print_header(std::ostream& out, const RunReport& report) {
  const RunRecord& record = report.record;
  const RunVerdict& verdict = report.verdict;
  std::string upper = to_string(verdict.kind);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  out << "cast " << record.run_id << ": " << record.users_planned << " users in " << ms(record.duration_s) << " s -> "
      << upper << " (exit " << verdict.exit_code() << ")\n";
  const LatencySummaryMs& s = verdict.startup_ms;
  if (s.count == 0) {
    out << "startup ms: no startups measured\n";
  } else {
    out << "startup ms: n=" << s.count << " mean " << ms(s.mean) << " p50 " << ms(s.p50) << " p90 " << ms(s.p90)
        << " p95 " << ms(s.p95) << " p99 " << ms(s.p99) << " max " << ms(s.max) << "\n";
  }
  if (s.count == 0 && verdict.harness_max_lag_ms == 0) {
    return;  // nothing ran, so nothing lagged
  }
  out << "harness: max schedule lag " << ms(verdict.harness_max_lag_ms) << " ms, start skew "
      << ms(verdict.harness_start_skew_ms) << " ms";
  if (record.worker_start_skew_us >= 0) {
    out << ", across workers " << ms(static_cast<double>(record.worker_start_skew_us) / 1000) << " ms (+/- "
        << ms(static_cast<double>(record.worker_start_skew_uncertainty_us) / 1000) << ")";
  }
  out << "\n";
  print_self_measurement(out, harness_figures(record));
  print_load_shape(out, report.config);
}

// One line per worker: what it was given, finished and lost, its clock.
void print_workers(std::ostream& out, const RunRecord& record) {
  for (const WorkerRecord& w : record.workers) {
    std::string line = w.worker_id + ": " + std::to_string(w.users) + " users, " + std::to_string(w.users_finished) +
                       " finished, " + std::to_string(w.users_lost) + " lost";
    if (w.users_taken_over > 0) line += " (" + std::to_string(w.users_taken_over) + " taken over)";
    if (w.clock_samples > 0) {
      line += "; rtt " + ms(static_cast<double>(w.round_trip_us) / 1000) + " ms, clock offset " +
              ms(static_cast<double>(w.clock_offset_us) / 1000) + " ms";
    }
    if (w.start_placed) line += ", first start at " + ms(static_cast<double>(w.first_start_us) / 1000) + " ms";
    if (w.lost) {
      line += "; LOST " + (w.lost_phase.empty() ? std::string{} : "while " + w.lost_phase) +
              (w.lost_reason.empty() ? "" : ": " + w.lost_reason);
      if (w.users_handed_over > 0) line += "; its " + std::to_string(w.users_handed_over) + " users ran elsewhere";
    }
    print_wrapped(out, line, "worker ", "    ");
  }
}

void print_case(std::ostream& out, const TestCaseResult& result) {
  out << "\n" << result.title << ": " << to_string(result.verdict);
  out << (result.note.empty() ? "" : " (" + printable(result.note) + ")") << "\n";
  if (result.criteria.empty()) {
    return;
  }
  out << "  " << cell("criterion", kNameWidth) << " " << cell("threshold", kThresholdWidth) << " "
      << cell("observed", kObservedWidth) << " result\n";
  for (const Criterion& criterion : result.criteria) {
    out << "  " << cell(criterion.name, kNameWidth) << " " << cell(criterion.threshold, kThresholdWidth) << " "
        << cell(criterion.observed, kObservedWidth) << " " << result_of(criterion) << "\n";
  }
}

std::string in_tenant(const std::string& tenant) { return tenant.empty() ? "" : " (" + tenant + ")"; }

// Which attacks sent the forged tokens: the sample is said, never hidden.
std::string forgery_sample(const IsolationEvidence& evidence) {
  auto of = std::to_string(evidence.forging_pairs) + " of " + std::to_string(evidence.attack_pairs) + " attacks";
  if (evidence.forging_pairs == evidence.attack_pairs) {
    return "every attack (" + of + ")";
  }
  return of + ", at most " + std::to_string(evidence.forgery_attackers) +
         " attackers per worker and tenant crossing (--forgery-attackers all sends them on every attack)";
}

// Forged tokens by strength, so a run without the signing secret says
// plainly which claim checks it could not test.
void print_forgeries(std::ostream& out, const IsolationEvidence& evidence) {
  if (!evidence.probes_run || evidence.forgeries.empty()) {
    return;
  }
  std::string full, weak, skipped;
  for (const ForgeryCoverage& f : evidence.forgeries) {
    auto& list = f.strength == ForgeryCoverage::Strength::full             ? full
                 : f.strength == ForgeryCoverage::Strength::signature_only ? weak
                                                                           : skipped;
    list += (list.empty() ? "" : ", ") + f.kind;
  }
  out << "\nforged tokens ("
      << (evidence.signing_secret_known ? "signed with the platform's secret" : "no signing secret") << "):\n";
  print_wrapped(out, forgery_sample(evidence), "  sent by ", "    ");
  print_wrapped(out, full.empty() ? "none" : full, "  full strength: ", "    ");
  if (!weak.empty()) {
    print_wrapped(out, weak, "  signature only (random key, claim not tested): ", "    ");
  }
  for (const ForgeryCoverage& f : evidence.forgeries) {
    if (f.strength == ForgeryCoverage::Strength::not_run) {
      print_wrapped(out, f.note, "  not run: " + f.kind + ": ", "    ");
    }
  }
}

void print_findings(std::ostream& out, const std::vector<Finding>& findings) {
  if (findings.empty()) {
    return;
  }
  out << "\nfindings (" << findings.size() << "):\n";
  for (std::size_t i = 0; i < std::min(kShownFindings, findings.size()); ++i) {
    const Finding& f = findings[i];
    out << clip("  " + std::string(to_string(f.kind)) + " [" + to_string(f.test_case) + "] " + f.observer +
                    in_tenant(f.observer_tenant) + " saw data of " + f.owner + in_tenant(f.owner_tenant) + " via " +
                    f.channel + " " + f.where,
                kWidth)
        << "\n";
    out << "      " << around_marker(f.excerpt, kWidth - 6) << "\n";
  }
  if (findings.size() > kShownFindings) {
    out << "  ... and " << findings.size() - kShownFindings << " more (see the JSON report)\n";
  }
}

void print_outputs(std::ostream& out, const RunReport& report, const ReportOutcome& outcome) {
  if (!report.verdict.invalid_reasons.empty()) {
    out << "\nrun INVALID, it says nothing about the platform, because:\n";
    for (const std::string& reason : report.verdict.invalid_reasons) {
      print_wrapped(out, reason, "  - ", "    ");
    }
  }
  out << "\n";
  for (const std::string& written : outcome.written) {
    out << "written " << written << "\n";
  }
  for (const std::string& error : outcome.errors) {
    print_wrapped(out, error, "report error: ", "    ");
  }
}

}  // namespace

void print_console_summary(std::ostream& out, const RunReport& report, const ReportOutcome& outcome) {
  print_header(out, report);
  print_workers(out, report.record);
  for (const TestCaseResult& result : report.verdict.test_cases) {
    print_case(out, result);
  }
  print_forgeries(out, report.record.isolation);
  print_findings(out, report.verdict.findings);
  print_outputs(out, report, outcome);
}

}  // namespace cast::controller
