// Startup latency (start_agent -> agent_started) as a histogram and a CDF,
// with P50/P95/P99 and test case 3's limits marked.

#include <algorithm>
#include <cmath>

#include "controller/report/html_sections.h"
#include "controller/report/html_text.h"
#include "controller/report/svg_chart.h"

namespace cast::controller::html {
namespace {

constexpr std::size_t kBins = 40;
constexpr std::size_t kCdfPoints = 400;

std::vector<double> startup_ms(const RunRecord& record) {
  std::vector<double> samples;
  for (const UserOutcome& user : record.users) {
    if (user.start_us) samples.push_back(static_cast<double>(*user.start_us) / 1000);
  }
  std::sort(samples.begin(), samples.end());
  return samples;
}

std::vector<Marker> markers(const RunReport& report) {
  const LatencySummaryMs& s = report.verdict.startup_ms;
  std::vector<Marker> out;
  if (s.count > 0) {
    out.push_back({s.p50, "P50 " + html_figure(s.p50) + " ms", "mark-pct"});
    out.push_back({s.p95, "P95 " + html_figure(s.p95) + " ms", "mark-pct"});
    out.push_back({s.p99, "P99 " + html_figure(s.p99) + " ms", "mark-pct"});
  }
  out.push_back({report.config.p95_limit_s * 1000, "P95 limit " + html_figure(report.config.p95_limit_s, 2) + " s",
                 "mark-limit"});
  out.push_back({report.config.p99_limit_s * 1000, "P99 limit " + html_figure(report.config.p99_limit_s, 2) + " s",
                 "mark-limit"});
  return out;
}

ChartFrame frame(const RunReport& report, const std::vector<double>& samples, const std::string& css) {
  ChartFrame f;
  f.css_class = css;
  f.x_label = "startup latency, ms (start_agent to agent_started)";
  f.x = range_for(samples.empty() ? 0 : samples.back(),
                  {report.config.p95_limit_s * 1000, report.config.p99_limit_s * 1000});
  f.x_markers = markers(report);
  f.empty_note = "no startups measured";
  return f;
}

std::string histogram(const RunReport& report, const std::vector<double>& samples) {
  ChartFrame f = frame(report, samples, "latency-histogram");
  f.title = "startup latency histogram";
  f.y_label = "users";
  std::vector<Bar> bars;
  if (!samples.empty()) {
    double width = std::max(samples.back() / kBins, 1e-3);
    std::vector<double> counts(kBins, 0);
    for (double v : samples) counts[std::min(kBins - 1, static_cast<std::size_t>(v / width))] += 1;
    for (std::size_t i = 0; i < kBins; ++i) {
      if (counts[i] > 0)
        bars.push_back({width * static_cast<double>(i), width * static_cast<double>(i + 1), counts[i]});
    }
    // Whole users on the axis: at least 0..4, so that few users do not get half-user ticks.
    f.y = {0, std::max(4.0, *std::max_element(counts.begin(), counts.end()) * 1.15)};
  }
  return svg_bars(f, bars, "bars-latency");
}

// At most kCdfPoints steps, however many users: evenly spaced ranks.
std::string cdf(const RunReport& report, const std::vector<double>& samples) {
  ChartFrame f = frame(report, samples, "latency-cdf");
  f.title = "startup latency, cumulative share of users";
  f.y_label = "% of users started";
  f.y = {0, 100};
  Series line{"users started", "s-platform", {}, true};
  std::size_t n = samples.size();
  std::size_t points = std::min(n, kCdfPoints);
  if (n > 0) line.points.push_back({0, 0});
  for (std::size_t k = 0; k < points; ++k) {
    std::size_t rank = points == 1 ? n - 1 : k * (n - 1) / (points - 1);
    line.points.push_back({samples[rank], 100.0 * static_cast<double>(rank + 1) / static_cast<double>(n)});
  }
  return svg_lines(f, {line});
}

std::string summary_line(const LatencySummaryMs& s) {
  if (s.count == 0) return element("p", "note", "No startups measured: no user's agent reported agent_started.");
  return element("p", "",
                 "n=" + std::to_string(s.count) + " &middot; mean " + html_figure(s.mean) + " ms &middot; P50 " +
                     html_figure(s.p50) + " &middot; P90 " + html_figure(s.p90) + " &middot; P95 " +
                     html_figure(s.p95) + " &middot; P99 " + html_figure(s.p99) + " &middot; max " +
                     html_figure(s.max) + " ms");
}

}  // namespace

std::string startup_section(const RunReport& report) {
  auto samples = startup_ms(report.record);
  std::string body = summary_line(report.verdict.startup_ms);
  body += "<div class=\"charts\"><figure><figcaption>Histogram</figcaption>" + histogram(report, samples) +
          "</figure><figure><figcaption>Cumulative distribution</figcaption>" + cdf(report, samples) +
          "</figure></div>";
  return section("startup", "Startup latency", body);
}

}  // namespace cast::controller::html
