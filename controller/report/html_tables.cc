// The tables: workers (the harness), findings grouped by kind and channel,
// and the run's notes. Figures a worker never reported say "not measured".

#include <algorithm>
#include <optional>

#include "controller/report/finding_digest.h"
#include "controller/report/html_sections.h"
#include "controller/report/html_text.h"

namespace cast::controller::html {
namespace {

constexpr std::size_t kMaxWorkerRows = 200;
constexpr std::size_t kMaxNotes = 50;

struct WorkerTiming {
  std::int64_t max_schedule_lag_us{0};
  std::optional<std::int64_t> first_start_us;  // earliest first step among its users
};

WorkerTiming timing_of(const RunRecord& record, const std::string& worker_id) {
  WorkerTiming timing;
  for (const UserOutcome& user : record.users) {
    if (user.worker_id != worker_id) continue;
    timing.max_schedule_lag_us = std::max(timing.max_schedule_lag_us, user.max_schedule_lag_us);
    if (user.began_at_us && (!timing.first_start_us || *user.began_at_us < *timing.first_start_us)) {
      timing.first_start_us = user.began_at_us;
    }
  }
  return timing;
}

std::optional<std::int64_t> first_start(const RunRecord& record) {
  std::optional<std::int64_t> first;
  for (const UserOutcome& user : record.users) {
    if (user.began_at_us && (!first || *user.began_at_us < *first)) first = user.began_at_us;
  }
  return first;
}

std::string ms(std::int64_t us) { return html_figure(static_cast<double>(us) / 1000) + " ms"; }

// A worker's figures come with its heartbeats; one that never sent any
// reported no memory, and then its CPU and loop lag are unknown too.
std::string worker_row(const RunRecord& record, const WorkerRecord& w, std::optional<std::int64_t> run_start) {
  WorkerTiming timing = timing_of(record, w.worker_id);
  bool beat = w.peak_rss_bytes > 0;
  std::string cores = w.cores == 0   ? " (cores not reported)"
                      : w.cores == 1 ? " (1 core)"
                                     : " (" + std::to_string(w.cores) + " cores)";
  // Placed on the controller's clock through the worker's clock estimate
  // when it could be; else relative to the run's first start, on its own clock.
  std::string skew = w.start_placed                       ? ms(w.first_start_us) + " after the go"
                     : timing.first_start_us && run_start ? "+" + ms(*timing.first_start_us - *run_start)
                                                          : "";
  std::string clock = "rtt " + ms(w.round_trip_us) + ", offset " + ms(w.clock_offset_us);
  return "<tr class=\"worker" + std::string(w.lost ? " row-fail" : "") + "\">" + cell(w.worker_id) + cell(w.host) +
         cell(std::to_string(w.pid), "num") + cell(std::to_string(w.users), "num") +
         cell(std::to_string(w.events), "num") + cell(ms(timing.max_schedule_lag_us), "num") +
         element("td", "num", measured(beat, ms(static_cast<std::int64_t>(w.max_loop_lag_us)))) +
         element("td", "num", measured(beat, html_figure(w.peak_cpu_percent) + " % of a core" + cores)) +
         element("td", "num", measured(beat, html_figure(static_cast<double>(w.peak_rss_bytes) / 1048576.0) + " MB")) +
         element("td", "num", measured(!skew.empty(), skew)) +
         element("td", "num", measured(w.clock_samples > 0, clock)) +
         cell(w.lost ? "lost" : "ok", w.lost ? "result r-fail" : "result r-pass") + "</tr>";
}

std::string example_row(const Finding& f) {
  return "<tr class=\"finding\"><td></td><td></td>" +
         element("td", "pair",
                 html_escape(f.observer) + " <span class=\"arrow\">&rarr;</span> " + html_escape(f.owner)) +
         cell(f.where, "where") + element("td", "excerpt", excerpt_html(f.excerpt)) +
         cell(html_figure(f.t_s, 2) + " s", "num at") + "</tr>";
}

std::string group_rows(const FindingGroup& g) {
  std::string out = "<tr class=\"finding-group\">" + cell(to_string(g.kind)) + cell(g.channel) + "<td colspan=\"4\">" +
                    std::to_string(g.count) + " finding(s) across " + std::to_string(g.pairs) +
                    " observer &rarr; owner pair(s), test case " + html_escape(to_string(g.test_case)) + "</td></tr>";
  for (const Finding* f : g.examples) out += example_row(*f);
  if (g.count > g.examples.size()) {
    out += "<tr class=\"more\"><td></td><td></td><td colspan=\"4\">&hellip; " +
           std::to_string(g.count - g.examples.size()) + " more like these</td></tr>";
  }
  return out;
}

std::string checks_line(const IsolationEvidence& evidence) {
  std::string line = std::string("contamination scan: ") + (evidence.contamination_scanned ? "done" : "not run") +
                     " &middot; authorization probes: " +
                     (evidence.probes_run ? std::to_string(evidence.probes) + " calls" : std::string("not run")) +
                     " &middot; persistence: " +
                     (evidence.persistence_checked
                          ? std::string("checked")
                          : html_escape(evidence.persistence_note.empty() ? "not checked" : evidence.persistence_note));
  return element("p", "note", line);
}

}  // namespace

std::string harness_section(const RunReport& report) {
  const RunRecord& record = report.record;
  std::string body = element("p", "",
                             "max schedule lag " + html_figure(report.verdict.harness_max_lag_ms) + " ms (limit " +
                                 html_figure(report.config.max_schedule_lag_ms) + " ms) &middot; start skew " +
                                 html_figure(report.verdict.harness_start_skew_ms) + " ms across " +
                                 std::to_string(record.workers.size()) + " worker(s)" +
                                 (record.worker_start_skew_us < 0
                                      ? std::string{}
                                      : " &middot; first starts across workers " + ms(record.worker_start_skew_us) +
                                            " apart (&plusmn; " + ms(record.worker_start_skew_uncertainty_us) + ")"));
  std::string rows;
  auto run_start = first_start(record);
  for (std::size_t i = 0; i < std::min(record.workers.size(), kMaxWorkerRows); ++i) {
    rows += worker_row(record, record.workers[i], run_start);
  }
  if (record.workers.size() > kMaxWorkerRows) {
    rows += "<tr class=\"more\"><td colspan=\"12\">" + std::to_string(record.workers.size() - kMaxWorkerRows) +
            " more workers in the JSON report</td></tr>";
  }
  body +=
      "<table class=\"workers\"><thead><tr><th>worker</th><th>host</th><th class=\"num\">pid</th>"
      "<th class=\"num\">users</th><th class=\"num\">events</th><th class=\"num\">max schedule lag</th>"
      "<th class=\"num\">event-loop lag</th><th class=\"num\">peak CPU</th><th class=\"num\">peak memory</th>"
      "<th class=\"num\">first start</th><th class=\"num\">clock</th><th>state</th></tr></thead><tbody>" +
      rows + "</tbody></table>";
  return section("harness", "Harness and workers", body);
}

std::string findings_section(const RunReport& report) {
  const auto& findings = report.verdict.findings;
  std::string body = checks_line(report.record.isolation);
  if (findings.empty()) {
    return section("findings", "Findings",
                   body + element("p", "no-findings",
                                  "No findings: no user saw, read or "
                                  "changed another user's data."));
  }
  FindingDigest digest = digest_findings(findings);
  body += element("p", "",
                  std::to_string(digest.total) + " finding(s) in " +
                      std::to_string(digest.groups.size() + digest.groups_left_off) +
                      " group(s) of one kind on one channel; the foreign value is highlighted.");
  std::string rows;
  for (const FindingGroup& g : digest.groups) rows += group_rows(g);
  body +=
      "<table class=\"findings\"><thead><tr><th>kind</th><th>channel</th><th>observer &rarr; owner</th><th>where</th>"
      "<th>excerpt</th><th class=\"num\">at</th></tr></thead><tbody>" +
      rows + "</tbody></table>";
  if (digest.groups_left_off > 0) {
    body += element("p", "more",
                    std::to_string(digest.groups_left_off) + " more group(s) with " +
                        std::to_string(digest.findings_left_off) + " finding(s) in the JSON report");
  }
  return section("findings", "Findings", body);
}

std::string notes_section(const RunReport& report) {
  const auto& notes = report.record.notes;
  if (notes.empty()) return section("notes", "Notes", element("p", "note", "Nothing to note."));
  std::string items;
  for (std::size_t i = 0; i < std::min(notes.size(), kMaxNotes); ++i) items += "<li>" + html_escape(notes[i]) + "</li>";
  if (notes.size() > kMaxNotes)
    items += "<li class=\"more\">" + std::to_string(notes.size() - kMaxNotes) + " more in the JSON report</li>";
  return section("notes", "Notes", "<ul class=\"notes\">" + items + "</ul>");
}

}  // namespace cast::controller::html
