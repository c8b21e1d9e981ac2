#include "controller/report/json_report.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "controller/analysis/harness_figures.h"

namespace cast::controller {
namespace {

using nlohmann::json;

double seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000; }

constexpr std::size_t kMaxFindings = 1000;
constexpr std::size_t kMaxFailedUsers = 100;

json criterion_json(const Criterion& criterion) {
  return {{"name", criterion.name},         {"threshold", criterion.threshold},
          {"observed", criterion.observed}, {"observed_value", criterion.observed_value},
          {"passed", criterion.passed},     {"measured", criterion.measured},
          {"warning", criterion.warning}};
}

json test_cases_json(const RunVerdict& verdict) {
  json cases = json::array();
  for (const TestCaseResult& result : verdict.test_cases) {
    json criteria = json::array();
    for (const Criterion& criterion : result.criteria) {
      criteria.push_back(criterion_json(criterion));
    }
    cases.push_back({{"id", to_string(result.id)},
                     {"title", result.title},
                     {"verdict", to_string(result.verdict)},
                     {"note", result.note},
                     {"criteria", std::move(criteria)}});
  }
  return cases;
}

json findings_json(const RunVerdict& verdict) {
  json findings = json::array();
  for (std::size_t i = 0; i < std::min(kMaxFindings, verdict.findings.size()); ++i) {
    const Finding& f = verdict.findings[i];
    json made{{"kind", to_string(f.kind)}, {"test_case", to_string(f.test_case)},
              {"observer", f.observer},    {"owner", f.owner},
              {"channel", f.channel},      {"where", f.where},
              {"excerpt", f.excerpt},      {"t_s", f.t_s}};
    if (!f.observer_tenant.empty() || !f.owner_tenant.empty()) {
      made["observer_tenant"] = f.observer_tenant;
      made["owner_tenant"] = f.owner_tenant;
    }
    findings.push_back(std::move(made));
  }
  return findings;
}

// Which forged tokens ran at full strength, which did not, and why: the
// probe phase never passes a weaker forgery off as a full one.
json forged_tokens_json(const IsolationEvidence& evidence) {
  json kinds = json::array();
  for (const ForgeryCoverage& f : evidence.forgeries) {
    kinds.push_back({{"kind", f.kind}, {"strength", to_string(f.strength)}, {"probes", f.probes}, {"note", f.note}});
  }
  json sample = {
      {"attack_pairs", evidence.attack_pairs},
      {"forging_pairs", evidence.forging_pairs},
      {"per_worker_and_crossing", evidence.forgery_attackers == 0 ? json("all") : json(evidence.forgery_attackers)}};
  return {{"probed", evidence.probes_run},
          {"signing_secret", evidence.signing_secret_known},
          {"sample", sample},
          {"kinds", kinds}};
}

// The worst schedule lag among a worker's users: the figure that makes a
// run invalid, next to the worker's own event-loop lag.
double user_lag_ms(const RunRecord& record, const std::string& worker_id) {
  std::int64_t worst = 0;
  for (const UserOutcome& user : record.users) {
    if (user.worker_id == worker_id) {
      worst = std::max(worst, user.max_schedule_lag_us);
    }
  }
  return static_cast<double>(worst) / 1000;
}

double ms(std::int64_t us) { return static_cast<double>(us) / 1000; }

json clock_json(const WorkerRecord& w) {
  return {{"samples", w.clock_samples},
          {"round_trip_ms", ms(w.round_trip_us)},
          {"offset_ms", ms(w.clock_offset_us)},
          {"synchronized_start", w.synchronized_start},
          {"go_ms", w.go_reported ? json(ms(w.go_at_us)) : json(nullptr)},
          {"first_start_ms", w.start_placed ? json(ms(w.first_start_us)) : json(nullptr)}};
}

json workers_json(const RunRecord& record) {
  json workers = json::array();
  for (const WorkerRecord& w : record.workers) {
    workers.push_back({{"id", w.worker_id},
                       {"host", w.host},
                       {"pid", w.pid},
                       {"capacity", w.capacity},
                       {"users", w.users},
                       {"events", w.events},
                       {"max_schedule_lag_ms", user_lag_ms(record, w.worker_id)},
                       {"max_loop_lag_ms", static_cast<double>(w.max_loop_lag_us) / 1000},
                       {"peak_cpu_percent", w.peak_cpu_percent},
                       {"cores", w.cores},
                       {"peak_rss_mb", static_cast<double>(w.peak_rss_bytes) / (1024.0 * 1024.0)},
                       {"harness_errors", w.harness_errors},
                       {"errors_by_kind", w.errors_by_kind},
                       {"failures_by_phase", w.failures_by_phase},
                       {"lost", w.lost},
                       {"users_finished", w.users_finished},
                       {"users_lost", w.users_lost},
                       {"lost_phase", w.lost_phase},
                       {"lost_reason", w.lost_reason},
                       {"lost_after_go_s", w.lost_after_go_s},
                       {"users_taken_over", w.users_taken_over},
                       {"users_handed_over", w.users_handed_over},
                       {"clock", clock_json(w)}});
  }
  return workers;
}

json resources_json(const RunRecord& record) {
  json samples = json::array();
  double host = 0, rss = 0, cpu = 0;
  for (const ResourceSample& s : record.resources) {
    samples.push_back({{"t_s", s.t_s},
                       {"host_cpu_percent", s.host_cpu_percent},
                       {"platform_rss_mb", s.platform_rss_mb},
                       {"platform_cpu_percent", s.platform_cpu_percent}});
    host = std::max(host, s.host_cpu_percent);
    rss = std::max(rss, s.platform_rss_mb);
    cpu = std::max(cpu, s.platform_cpu_percent);
  }
  return {{"samples", std::move(samples)},
          {"peak_host_cpu_percent", host},
          {"peak_platform_rss_mb", rss},
          {"peak_platform_cpu_percent", cpu}};
}

json failed_users_json(const RunRecord& record) {
  json failed = json::array();
  for (const UserOutcome& user : record.users) {
    if (user.failed && failed.size() < kMaxFailedUsers) {
      failed.push_back({{"user", user.user_id},
                        {"worker", user.worker_id},
                        {"phase", user.failed_phase},
                        {"error_kind", user.error_kind},
                        {"message", user.error_message}});
    }
  }
  return failed;
}

// Users, processes and thresholds only: the targets stay out, since a
// database URL may carry a password.
json config_json(const RunConfig& c) {
  json thresholds = {{"max_agent_startup_s", c.max_agent_startup_s},
                     {"p95_limit_s", c.p95_limit_s},
                     {"p99_limit_s", c.p99_limit_s},
                     {"min_success_rate", c.min_success_rate},
                     {"max_total_test_time_s", c.max_total_test_time_s},
                     {"platform_memory_limit_mb", c.platform_memory_limit_mb},
                     {"host_cpu_limit_percent", c.host_cpu_limit_percent},
                     {"max_schedule_lag_ms", c.max_schedule_lag_ms},
                     {"max_loop_lag_ms", c.max_loop_lag_ms},
                     {"max_harness_errors", c.max_harness_errors}};
  json load = {{"ramp_s", seconds(c.ramp)}, {"hold_s", seconds(c.hold)}, {"hold_interval_s", seconds(c.hold_interval)}};
  return {{"users", c.users},
          {"users_per_tenant", c.users_per_tenant},
          {"workers", c.workers},
          {"isolation_strict", c.isolation_strict},
          {"performance_only", c.performance_only},
          {"isolation_only", c.isolation_only},
          {"run_timeout_s", static_cast<double>(c.run_timeout.count()) / 1000},
          {"agent_startup_timeout_s", static_cast<double>(c.agent_startup_timeout.count()) / 1000},
          {"payload_cap_bytes", c.payload_cap_bytes},
          {"load", std::move(load)},
          {"thresholds", std::move(thresholds)}};
}

// With no startup measured there is no latency: null, never a made-up 0.
json startup_json(const LatencySummaryMs& s) {
  if (s.count == 0) {
    return {{"count", 0},     {"mean", nullptr}, {"p50", nullptr}, {"p90", nullptr},
            {"p95", nullptr}, {"p99", nullptr},  {"max", nullptr}};
  }
  return {{"count", s.count}, {"mean", s.mean}, {"p50", s.p50}, {"p90", s.p90},
          {"p95", s.p95},     {"p99", s.p99},   {"max", s.max}};
}

// The harness's account of itself: start skew and lag (from the verdict),
// what it added to each startup, and the workers' loop lag and exceptions.
json harness_json(const RunRecord& record, const RunVerdict& verdict) {
  HarnessFigures figures = harness_figures(record);
  json out = {{"start_skew_ms", verdict.harness_start_skew_ms}, {"max_lag_ms", verdict.harness_max_lag_ms},
              {"max_loop_lag_ms", figures.max_loop_lag_ms},     {"harness_errors", figures.harness_errors},
              {"errors_by_kind", figures.errors_by_kind},       {"failures_by_phase", figures.failures_by_phase}};
  out["worker_start_skew_ms"] = record.worker_start_skew_us < 0 ? json(nullptr) : json(ms(record.worker_start_skew_us));
  out["worker_start_skew_uncertainty_ms"] = ms(record.worker_start_skew_uncertainty_us);
  if (figures.added_startup_ms.count > 0) out["added_startup_ms"] = startup_json(figures.added_startup_ms);
  return out;
}

json timings_json(const RunTimings& t) {
  return {{"sessions", t.sessions_s},       {"fold", t.fold_s},
          {"probes", t.probes_s},           {"contamination_scan", t.contamination_scan_s},
          {"persistence", t.persistence_s}, {"judge", t.judge_s}};
}

std::size_t count_failed(const RunRecord& record) {
  return static_cast<std::size_t>(
      std::count_if(record.users.begin(), record.users.end(), [](const UserOutcome& u) { return u.failed; }));
}

}  // namespace

json build_json_report(const RunReport& report) {
  const RunRecord& record = report.record;
  const RunVerdict& verdict = report.verdict;
  json out;
  out["schema"] = "cast.report/v1";
  out["run_id"] = record.run_id;
  out["verdict"] = to_string(verdict.kind);
  out["exit_code"] = verdict.exit_code();
  out["invalid_reasons"] = verdict.invalid_reasons;
  out["users"] = record.users_planned;
  out["duration_s"] = record.duration_s;
  out["startup_ms"] = startup_json(verdict.startup_ms);
  out["test_cases"] = test_cases_json(verdict);
  out["findings"] = findings_json(verdict);
  out["findings_total"] = verdict.findings.size();
  out["workers"] = workers_json(record);
  out["resources"] = resources_json(record);
  out["harness"] = harness_json(record, verdict);
  out["timings_s"] = timings_json(record.timings);
  out["users_failed"] = failed_users_json(record);
  out["users_failed_total"] = count_failed(record);
  out["forged_tokens"] = forged_tokens_json(record.isolation);
  out["notes"] = record.notes;
  out["config"] = config_json(report.config);
  return out;
}

std::string render_json_report(const RunReport& report) {
  return build_json_report(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace cast::controller
