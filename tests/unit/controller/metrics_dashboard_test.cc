// The Grafana dashboard in deploy/grafana queries only what the controller
// exports: every metric name in its PromQL is checked against the names in
// the exposition text of a real ControllerMetrics registry.
#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "controller/metrics/controller_metrics.h"

using namespace cast::controller;  // the code under test

using namespace std::chrono_literals;

namespace {

const std::set<std::string> kPromqlWords = {"by",  "without", "on",     "ignoring", "group_left", "group_right", "bool",
                                            "and", "or",      "unless", "offset",   "inf",        "nan"};

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }

std::size_t skip_spaces(const std::string& text, std::size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// Past the quote that closes the one at `i`.
std::size_t skip_string(const std::string& text, std::size_t i) {
  for (++i; i < text.size() && text[i] != '"'; ++i) i += text[i] == '\\' ? 1 : 0;
  return i + 1;
}

// Past the bracket that closes the one at `i` (quoted text inside is skipped).
std::size_t skip_group(const std::string& text, std::size_t i, char open, char close) {
  int depth = 0;
  for (; i < text.size(); ++i) {
    if (text[i] == '"') {
      i = skip_string(text, i) - 1;
    } else if (text[i] == open) {
      ++depth;
    } else if (text[i] == close && --depth == 0) {
      return i + 1;
    }
  }
  return i;
}

// The metric names a PromQL expression selects: identifiers that are not
// functions or aggregations (followed by "("), keywords, label names (in
// {...} or a by/without list), durations ([...]), strings or numbers.
std::set<std::string> metric_names(const std::string& expr) {
  std::set<std::string> names;
  std::size_t i = 0;
  while (i < expr.size()) {
    char c = expr[i];
    if (c == '{') {
      i = skip_group(expr, i, '{', '}');
      continue;
    }
    if (c == '[') {
      i = skip_group(expr, i, '[', ']');
      continue;
    }
    if (c == '"') {
      i = skip_string(expr, i);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      while (i < expr.size() && (identifier_char(expr[i]) || expr[i] == '.')) ++i;
      continue;
    }
    if (!identifier_char(c) && c != '$') {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < expr.size() && (identifier_char(expr[i]) || expr[i] == '$')) ++i;
    std::string word = expr.substr(start, i - start);
    std::size_t next = skip_spaces(expr, i);
    // An aggregation is followed by "(" or by its by/without clause.
    bool call = next < expr.size() && expr[next] == '(';
    call = call || expr.compare(next, 3, "by ") == 0 || expr.compare(next, 3, "by(") == 0 ||
           expr.compare(next, 7, "without") == 0;
    if (word == "by" || word == "without" || word == "on" || word == "ignoring" || word == "group_left" ||
        word == "group_right") {
      if (call) i = skip_group(expr, next, '(', ')');
      continue;
    }
    if (call || word.front() == '$' || kPromqlWords.count(word) > 0) continue;
    names.insert(word);
  }
  return names;
}

// Series names in Prometheus exposition text (histograms as _bucket, _sum, _count).
std::set<std::string> exposed_names(const std::string& text) {
  std::set<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

// What the controller exports once a run has had a user in every phase,
// a startup, an error and events from a worker.
std::set<std::string> controller_exports() {
  cast::controller::ControllerMetrics metrics{""};
  for (const char* phase : {"connecting", "started", "done", "failed", "cancelled"}) metrics.set_users(phase, 1);
  metrics.count_startup(250ms);
  metrics.count_error("timeout");
  metrics.set_worker_event_lag("local-1", 3ms);
  metrics.count_events("local-1", 10);
  metrics.publish();
  return exposed_names(metrics.render());
}

nlohmann::json load_dashboard() {
  std::ifstream in(std::string(CAST_SOURCE_DIR) + "/deploy/grafana/cast-dashboard.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

// Every PromQL expression of the dashboard: panel targets and variable queries.
std::vector<std::string> dashboard_queries(const nlohmann::json& dashboard) {
  std::vector<std::string> queries;
  for (const auto& panel : dashboard.at("panels")) {
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      queries.push_back(target.at("expr").get<std::string>());
    }
  }
  static const std::regex label_values{R"(label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,)"};
  for (const auto& variable : dashboard.at("templating").at("list")) {
    std::string definition = variable.value("definition", "");
    std::smatch match;
    if (std::regex_search(definition, match, label_values)) queries.push_back(match[1].str());
  }
  return queries;
}

}  // namespace

TEST_CASE("PromQL metric names: functions, labels, by-lists, ranges and numbers are not metrics") {
  CHECK(
      metric_names(
          R"(histogram_quantile(0.95, sum by (le) (rate(a_bucket{instance=~"$x", phase="b c"}[$__rate_interval]))))") ==
      std::set<std::string>{"a_bucket"});
  CHECK(metric_names("sum(rate(x_sum[1m])) / sum without (worker) (rate(x_count[5m])) > bool 2") ==
        std::set<std::string>{"x_sum", "x_count"});
  CHECK(metric_names("max by(worker) (lag) + on (worker) group_left events") == std::set<std::string>{"lag", "events"});
}

TEST_CASE("the Grafana dashboard queries only metrics the controller exports") {
  auto exported = controller_exports();
  REQUIRE(exported.count("cast_users") == 1);  // the registry rendered at all
  auto dashboard = load_dashboard();
  CHECK(dashboard.at("uid") == "cast-concurrent-startup");
  std::set<std::string> queried;
  for (const auto& query : dashboard_queries(dashboard)) {
    auto names = metric_names(query);
    CHECK_MESSAGE(!names.empty(), "a query that selects no metric: " << query);
    for (const auto& name : names) {
      CHECK_MESSAGE(exported.count(name) == 1, name << " is not exported by the controller (in: " << query << ")");
      queried.insert(name);
    }
  }
  // Users by phase, startups, errors by kind, the latency histogram and the
  // per-worker lag each have a panel.
  for (const char* name : {"cast_users", "cast_agent_startups_total", "cast_errors_total",
                           "cast_startup_latency_seconds_bucket", "cast_worker_event_lag_seconds"}) {
    CHECK_MESSAGE(queried.count(name) == 1, std::string{name} << " has no panel");
  }
}
