// The run over time: users by phase, startups and failures per second, and
// the platform's memory and CPU against their limits, on one time axis.

#include <algorithm>
#include <map>

#include "controller/report/html_sections.h"
#include "controller/report/html_text.h"
#include "controller/report/run_timeline.h"
#include "controller/report/svg_chart.h"

namespace cast::controller::html {
namespace {

constexpr std::size_t kMaxResourcePoints = 600;
constexpr std::size_t kFailureKinds = 12;

// Stacked bottom-up: finished users settle at the bottom.
constexpr UserPhase kStackOrder[] = {UserPhase::done,       UserPhase::failed,   UserPhase::cancelled,
                                     UserPhase::in_session, UserPhase::starting, UserPhase::connecting,
                                     UserPhase::waiting};

ChartFrame time_frame(const std::string& css, const std::string& title, double end_s, const std::string& y_label) {
  ChartFrame f;
  f.css_class = css;
  f.title = title;
  f.x = {0, std::max(end_s, 1e-3)};
  f.x_label = "seconds since the go";
  f.y_label = y_label;
  return f;
}

std::string phase_chart(const RunRecord& record, const RunTimeline& timeline) {
  ChartFrame f = time_frame("phase-timeline", "users by phase over time", timeline.end_s, "users");
  f.y = {0, std::max(1.0, static_cast<double>(record.users.size()))};
  std::vector<Series> layers;
  for (UserPhase phase : kStackOrder) {
    Series layer{phase_label(phase), phase_css(phase), {}, false};
    const auto& counts = timeline.users[static_cast<std::size_t>(phase)];
    for (std::size_t i = 0; i < timeline.t_s.size(); ++i) layer.points.push_back({timeline.t_s[i], counts[i]});
    layers.push_back(std::move(layer));
  }
  if (record.users.empty()) layers.clear();
  return svg_stack(f, layers);
}

std::string rate_chart(const RunTimeline& timeline, const std::vector<double>& per_s, const std::string& css,
                       const std::string& bars_css, const std::string& title, const std::string& empty_note) {
  ChartFrame f = time_frame(css, title, timeline.end_s, "per second");
  f.empty_note = empty_note;
  std::vector<Bar> bars;
  double top = 0;
  for (std::size_t i = 0; i < per_s.size(); ++i) {
    double x0 = timeline.bin_s * static_cast<double>(i);
    if (per_s[i] > 0) bars.push_back({x0, x0 + timeline.bin_s, per_s[i]});
    top = std::max(top, per_s[i]);
  }
  f.x.hi = std::max(f.x.hi, timeline.bin_s * static_cast<double>(per_s.size()));
  f.y = {0, top * 1.15};
  return svg_bars(f, bars, bars_css);
}

// Failed users by phase and error kind, most common first, one example message each.
std::string failure_table(const RunRecord& record) {
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::string>> kinds;
  for (const UserOutcome& user : record.users) {
    if (!user.failed) continue;
    auto& [count, example] = kinds[{user.failed_phase, user.error_kind}];
    if (count++ == 0) example = user.error_message;
  }
  if (kinds.empty()) return "";
  std::vector<std::pair<std::pair<std::string, std::string>, std::pair<std::size_t, std::string>>> rows(kinds.begin(),
                                                                                                        kinds.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  std::string body;
  for (std::size_t i = 0; i < std::min(rows.size(), kFailureKinds); ++i) {
    const auto& [key, value] = rows[i];
    body += "<tr class=\"failure\">" + cell(key.first) + cell(key.second) + cell(std::to_string(value.first), "num") +
            cell(value.second, "excerpt") + "</tr>";
  }
  if (rows.size() > kFailureKinds) {
    body += "<tr class=\"more\"><td colspan=\"4\">" + std::to_string(rows.size() - kFailureKinds) +
            " more kinds of failure in the JSON report</td></tr>";
  }
  return "<h3>Failed users by phase</h3><table class=\"failures\"><thead><tr><th>phase</th><th>error</th>"
         "<th class=\"num\">users</th><th>first message</th></tr></thead><tbody>" +
         body + "</tbody></table>";
}

// Every n-th sample, so that a long run draws as a bounded line.
Series resource_series(const RunRecord& record, const std::string& name, const std::string& css,
                       double (*value)(const RunRecord&, const ResourceSample&)) {
  Series series{name, css, {}, false};
  std::size_t stride = std::max<std::size_t>(1, record.resources.size() / kMaxResourcePoints + 1);
  bool any = false;
  for (std::size_t i = 0; i < record.resources.size(); i += stride) {
    double v = value(record, record.resources[i]);
    any = any || v > 0;
    series.points.push_back({record.resources[i].t_s, v});
  }
  // Only zeros means nobody measured it: no line at 0 pretending otherwise.
  if (!any) series.points.clear();
  return series;
}

double peak(const Series& series) {
  double top = 0;
  for (const auto& [t, v] : series.points) top = std::max(top, v);
  return top;
}

// Samples may start before the go (the monitor primes itself): the axis starts with them.
double start_of(const RunRecord& record) {
  double start = 0;
  for (const ResourceSample& s : record.resources) start = std::min(start, s.t_s);
  return start;
}

double end_of(const RunRecord& record) {
  double end = record.duration_s;
  for (const ResourceSample& s : record.resources) end = std::max(end, s.t_s);
  return end;
}

std::string memory_chart(const RunReport& report) {
  const RunRecord& record = report.record;
  double limit = report.config.platform_memory_limit_mb;
  Series rss = resource_series(record, "platform resident memory", "s-memory",
                               [](const RunRecord&, const ResourceSample& s) { return s.platform_rss_mb; });
  ChartFrame f = time_frame("platform-memory", "platform memory over time", end_of(record), "MB");
  f.x.lo = start_of(record);
  f.y = range_for(peak(rss), {limit});
  f.y_markers = {{limit, "limit " + html_figure(limit, 0) + " MB", "mark-limit"}};
  f.empty_note = "platform memory not measured";
  return svg_lines(f, {rss});
}

std::string cpu_chart(const RunReport& report) {
  const RunRecord& record = report.record;
  double limit = report.config.host_cpu_limit_percent;
  // Test case 3 judges the platform's share of this host's cores; that
  // share is only known when the platform runs here.
  Series platform{"platform, % of host", "s-platform", {}, false};
  if (record.platform_local && record.host_cores > 0) {
    platform = resource_series(record, platform.name, platform.css, [](const RunRecord& r, const ResourceSample& s) {
      return s.platform_cpu_percent / r.host_cores;
    });
  }
  Series host = resource_series(record, "host, all processes", "s-host",
                                [](const RunRecord&, const ResourceSample& s) { return s.host_cpu_percent; });
  ChartFrame f = time_frame("platform-cpu", "platform CPU over time", end_of(record), "% of host CPU");
  f.x.lo = start_of(record);
  f.y = range_for(std::max(peak(platform), peak(host)), {limit}, 1e9);
  f.y_markers = {{limit, "limit " + html_figure(limit, 0) + " %", "mark-limit"}};
  f.empty_note = "CPU not measured";
  std::vector<Series> lines;
  if (!platform.points.empty()) lines.push_back(platform);
  if (!host.points.empty()) lines.push_back(host);
  return svg_lines(f, lines);
}

}  // namespace

std::string timeline_section(const RunReport& report) {
  const RunRecord& record = report.record;
  RunTimeline timeline = build_timeline(record);
  std::string body = "<div class=\"charts\"><figure><figcaption>Users by phase</figcaption>" +
                     phase_chart(record, timeline) + "</figure>";
  body += "<figure><figcaption>Agents started per second (" + std::to_string(timeline.startups) + ")</figcaption>" +
          rate_chart(timeline, timeline.startups_per_s, "startup-rate", "bars-startups", "agents started per second",
                     "no agent started") +
          "</figure>";
  body += "<figure><figcaption>Users failed per second (" + std::to_string(timeline.failures) + ")</figcaption>" +
          rate_chart(timeline, timeline.failures_per_s, "failure-rate", "bars-failures", "users failed per second",
                     "no user failed") +
          "</figure></div>";
  return section("timeline", "The run over time", body + failure_table(record));
}

std::string resources_section(const RunReport& report) {
  std::string body = element("p", "note",
                             std::to_string(report.record.resources.size()) +
                                 " sample(s) by the resource monitor; a figure it could not read is not drawn.");
  body += "<div class=\"charts\"><figure><figcaption>Platform memory</figcaption>" + memory_chart(report) +
          "</figure><figure><figcaption>CPU</figcaption>" + cpu_chart(report) + "</figure></div>";
  return section("resources", "Platform resources", body);
}

}  // namespace cast::controller::html
