#include "controller/config/settings.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace cast::controller {
namespace {

using Kind = Setting::Kind;

long long parse_integer(const std::string& text, long long min, long long max) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size())
    throw std::invalid_argument("'" + text + "' is not a whole number");
  if (value < min || value > max) {
    throw std::invalid_argument(text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

double parse_number(const std::string& text, double min, double max) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value)) {
    throw std::invalid_argument("'" + text + "' is not a number");
  }
  if (value < min || value > max) throw std::invalid_argument(text + " is out of range");
  return value;
}

bool parse_bool(const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off" || text == "False" || text == "FALSE")
    return false;
  throw std::invalid_argument("'" + text + "' is not true or false");
}

std::chrono::milliseconds seconds(const std::string& text) {
  return std::chrono::milliseconds{static_cast<long long>(std::llround(parse_number(text, 0.001, 86'400) * 1000))};
}

std::chrono::milliseconds millis(const std::string& text) {
  return std::chrono::milliseconds{parse_integer(text, 0, 86'400'000)};
}

Setting make(std::string key, std::vector<std::string> env, std::string flag, Kind kind, std::string help,
             std::function<void(RunConfig&, const std::string&)> apply) {
  return Setting{std::move(key), std::move(env), std::move(flag), kind, std::move(help), std::move(apply), {}};
}

std::vector<Setting> population_settings() {
  return {
      make("quick", {}, "quick", Kind::boolean, "a quick run of 20 users",
           [](RunConfig& c, const std::string& v) {
             if (parse_bool(v)) c.users = 20;
           }),
      make("users", {"CONCURRENT_TEST_USERS"}, "users", Kind::integer, "concurrent users",
           [](RunConfig& c, const std::string& v) { c.users = static_cast<int>(parse_integer(v, 1, 1'000'000)); }),
      make("population.users_per_tenant", {}, "users-per-tenant", Kind::integer,
           "consecutive users sharing a tenant (1 = a tenant each)",
           [](RunConfig& c, const std::string& v) {
             c.users_per_tenant = static_cast<int>(parse_integer(v, 1, 1'000'000));
           }),
      make("workers", {}, "workers", Kind::integer, "local worker processes (0 = one per core)",
           [](RunConfig& c, const std::string& v) { c.workers = static_cast<int>(parse_integer(v, 0, 1024)); }),
      make("seed", {}, "seed", Kind::integer, "random seed (0 = random)",
           [](RunConfig& c, const std::string& v) {
             c.seed = static_cast<std::uint64_t>(parse_integer(v, 0, INT64_MAX));
           }),
  };
}

std::vector<Setting> timing_settings() {
  return {
      make("timeouts.run_s", {"CONCURRENT_TEST_TIMEOUT"}, "timeout", Kind::number, "whole-run timeout, seconds",
           [](RunConfig& c, const std::string& v) { c.run_timeout = seconds(v); }),
      make("timeouts.agent_startup_s", {"AGENT_STARTUP_TIMEOUT"}, "", Kind::number, "start_agent timeout, seconds",
           [](RunConfig& c, const std::string& v) { c.agent_startup_timeout = seconds(v); }),
      make("timeouts.token_ms", {}, "", Kind::integer, "token request timeout, ms",
           [](RunConfig& c, const std::string& v) { c.token_timeout = millis(v); }),
      make("timeouts.connect_ms", {}, "", Kind::integer, "WebSocket connect timeout, ms",
           [](RunConfig& c, const std::string& v) { c.connect_timeout = millis(v); }),
      make("timeouts.message_ms", {}, "", Kind::integer, "message round-trip timeout, ms",
           [](RunConfig& c, const std::string& v) { c.message_timeout = millis(v); }),
      make("timeouts.start_offset_ms", {}, "", Kind::integer, "go -> common start on every worker, ms",
           [](RunConfig& c, const std::string& v) { c.start_offset = millis(v); }),
  };
}

std::vector<Setting> criteria_settings() {
  auto number = [](double RunConfig::*field, double min, double max) {
    return [field, min, max](RunConfig& c, const std::string& v) { c.*field = parse_number(v, min, max); };
  };
  return {
      make("thresholds.max_agent_startup_s", {"MAX_AGENT_STARTUP_TIME"}, "", Kind::number, "per-agent startup limit, s",
           number(&RunConfig::max_agent_startup_s, 0, 3600)),
      make("thresholds.p95_s", {}, "", Kind::number, "startup P95 limit, s", number(&RunConfig::p95_limit_s, 0, 3600)),
      make("thresholds.p99_s", {}, "", Kind::number, "startup P99 limit, s", number(&RunConfig::p99_limit_s, 0, 3600)),
      make("thresholds.min_success_rate", {"MIN_SUCCESS_RATE"}, "", Kind::number, "share of users that must succeed",
           number(&RunConfig::min_success_rate, 0, 1)),
      make("thresholds.max_total_test_time_s", {"MAX_TOTAL_TEST_TIME"}, "", Kind::number, "whole-run limit, s",
           number(&RunConfig::max_total_test_time_s, 0, 86'400)),
      make("thresholds.platform_memory_mb", {}, "", Kind::number, "platform resident memory limit, MB",
           number(&RunConfig::platform_memory_limit_mb, 0, 1e9)),
      make("thresholds.host_cpu_percent", {}, "", Kind::number, "host CPU limit, %",
           number(&RunConfig::host_cpu_limit_percent, 0, 100)),
      make("thresholds.max_schedule_lag_ms", {}, "", Kind::number, "harness lag that makes a run invalid, ms",
           number(&RunConfig::max_schedule_lag_ms, 0, 3'600'000)),
      make("thresholds.max_loop_lag_ms", {}, "", Kind::number, "worker event-loop lag that makes a run invalid, ms",
           number(&RunConfig::max_loop_lag_ms, 0, 3'600'000)),
      make("thresholds.max_harness_errors", {}, "", Kind::integer,
           "harness exceptions in the workers beyond which a run is invalid",
           [](RunConfig& c, const std::string& v) {
             c.max_harness_errors = static_cast<std::uint64_t>(parse_integer(v, 0, INT64_MAX));
           }),
      make("isolation.strict", {"ISOLATION_VALIDATION_STRICT"}, "", Kind::boolean, "findings fail the run",
           [](RunConfig& c, const std::string& v) { c.isolation_strict = parse_bool(v); }),
  };
}

// How the users arrive and stay: all at one go or spread over a ramp, and
// how long each keeps its connection open after its session.
std::vector<Setting> load_settings() {
  return {
      make("load.ramp_s", {}, "ramp", Kind::number, "spread the users' starts over this many seconds (0 = one go)",
           [](RunConfig& c, const std::string& v) {
             c.ramp = std::chrono::milliseconds{std::llround(parse_number(v, 0, 3600) * 1000)};
           }),
      make("load.hold_s", {}, "hold", Kind::number, "keep each connection open this many seconds after its session",
           [](RunConfig& c, const std::string& v) {
             c.hold = std::chrono::milliseconds{std::llround(parse_number(v, 0, 86'400) * 1000)};
           }),
      make("load.hold_interval_s", {}, "", Kind::number, "while held, one message this often, seconds",
           [](RunConfig& c, const std::string& v) { c.hold_interval = seconds(v); }),
  };
}

// Clients that misbehave on purpose, to show the platform copes (issue 4).
std::vector<Setting> chaos_settings() {
  return {
      make("chaos.cancel_rate", {}, "cancel-rate", Kind::number,
           "share of users (0..1) that drop their connection mid-request",
           [](RunConfig& c, const std::string& v) { c.cancel_rate = parse_number(v, 0, 1); }),
  };
}

// How many attackers send the forged tokens: a sample by default, all on request.
std::vector<Setting> probe_settings() {
  return {
      make("probes.forgery_attackers", {}, "forgery-attackers", Kind::text,
           "attackers per worker and tenant crossing that send the forged tokens (a number, or all)",
           [](RunConfig& c, const std::string& v) {
             c.forgery_attackers = v == "all" ? 0 : static_cast<std::size_t>(parse_integer(v, 1, 1'000'000));
           }),
  };
}

std::vector<Setting> target_settings() {
  auto text = [](std::string RunConfig::*field) {
    return [field](RunConfig& c, const std::string& v) { c.*field = v; };
  };
  std::vector<Setting> list{
      make("targets.auth_url", {"E2E_AUTH_SERVICE_URL"}, "auth-url", Kind::text, "auth service URL",
           text(&RunConfig::auth_url)),
      make("targets.backend_url", {"E2E_BACKEND_URL"}, "backend-url", Kind::text, "backend URL",
           text(&RunConfig::backend_url)),
      make("targets.ws_url", {"E2E_WEBSOCKET_URL"}, "ws-url", Kind::text, "WebSocket URL", text(&RunConfig::ws_url)),
      make("targets.postgres_url", {"E2E_POSTGRES_URL", "TEST_DATABASE_URL"}, "postgres-url", Kind::text,
           "PostgreSQL URL", text(&RunConfig::postgres_url)),
      make("targets.redis_url", {"E2E_REDIS_URL", "TEST_REDIS_URL"}, "redis-url", Kind::text, "Redis URL",
           text(&RunConfig::redis_url)),
      make("targets.clickhouse_url", {"TEST_CLICKHOUSE_URL"}, "clickhouse-url", Kind::text, "ClickHouse HTTP URL",
           text(&RunConfig::clickhouse_url)),
      make("targets.redis_prefix", {}, "redis-prefix", Kind::text, "platform's Redis key prefix",
           text(&RunConfig::redis_prefix)),
      make("targets.insecure_tls", {}, "insecure", Kind::boolean, "skip TLS peer verification",
           [](RunConfig& c, const std::string& v) { c.insecure_tls = parse_bool(v); }),
      make("targets.jwt_secret_file", {}, "jwt-secret-file", Kind::text,
           "file holding the platform's JWT signing secret (forgeries signed right)",
           text(&RunConfig::jwt_secret_file)),
      // Environment only (an empty key matches no YAML key): a secret does not belong in a config file.
      make("", {"E2E_JWT_SECRET"}, "", Kind::text, "the platform's JWT signing secret", text(&RunConfig::jwt_secret)),
      make("reference.faults", {}, "reference-fault", Kind::list,
           "fault NAME[:RATE] for the embedded reference platform",
           [](RunConfig& c, const std::string& v) { c.reference_faults.push_back(v); }),
  };
  list.back().reset = [](RunConfig& c) { c.reference_faults.clear(); };
  return list;
}

std::vector<Setting> output_settings() {
  auto flag = [](bool RunConfig::*field) {
    return [field](RunConfig& c, const std::string& v) { c.*field = parse_bool(v); };
  };
  auto text = [](std::string RunConfig::*field) {
    return [field](RunConfig& c, const std::string& v) { c.*field = v; };
  };
  return {
      make("mode.performance_only", {}, "performance-only", Kind::boolean, "judge load criteria only",
           flag(&RunConfig::performance_only)),
      make("mode.isolation_only", {}, "isolation-only", Kind::boolean, "skip the load criteria",
           flag(&RunConfig::isolation_only)),
      make("verbose", {}, "verbose", Kind::boolean, "debug logging", flag(&RunConfig::verbose)),
      make("quiet", {}, "quiet", Kind::boolean, "no live progress line while the users run", flag(&RunConfig::quiet)),
      make("scenario", {}, "scenario", Kind::text, "scenario YAML file", text(&RunConfig::scenario_file)),
      make("reports.json", {}, "report-file", Kind::text, "JSON report path", text(&RunConfig::report_file)),
      make("reports.junit", {}, "junit", Kind::text, "JUnit XML path", text(&RunConfig::junit_file)),
      make("reports.html", {}, "html", Kind::text, "HTML report path (one self-contained page)",
           text(&RunConfig::html_file)),
      make("reports.log", {}, "log-file", Kind::text, "log file path", text(&RunConfig::log_file)),
      make("reports.payload_cap_bytes", {}, "", Kind::integer, "observed payload kept whole, bytes",
           [](RunConfig& c, const std::string& v) {
             c.payload_cap_bytes = static_cast<std::uint32_t>(parse_integer(v, 256, 16 << 20));
           }),
      make("metrics.listen", {}, "metrics-listen", Kind::text, "host:port for the controller's /metrics",
           text(&RunConfig::metrics_listen)),
      make("controller.listen", {}, "listen", Kind::text, "gRPC address workers dial (HOST:PORT)",
           [](RunConfig& c, const std::string& v) {
             auto colon = v.rfind(':');
             if (colon == std::string::npos || colon == 0) throw std::invalid_argument("'" + v + "' is not HOST:PORT");
             parse_integer(v.substr(colon + 1), 0, 65535);
             c.listen = v;
           }),
      make(
          "controller.expect_workers", {}, "expect-workers", Kind::integer, "remote workers to wait for",
          [](RunConfig& c, const std::string& v) { c.expect_workers = static_cast<int>(parse_integer(v, 0, 10'000)); }),
      make("controller.worker_token", {"CAST_WORKER_TOKEN"}, "", Kind::text, "shared secret of the workers",
           text(&RunConfig::worker_token)),
      make("controller.worker_wait_s", {}, "", Kind::number, "how long to wait for remote workers, s",
           [](RunConfig& c, const std::string& v) { c.worker_wait = seconds(v); }),
      make("controller.token_file", {}, "token-file", Kind::text, "file holding the shared secret of the workers",
           text(&RunConfig::worker_token_file)),
      make("controller.allow_worker_loss", {}, "allow-worker-loss", Kind::boolean,
           "a worker lost after the go fails its users instead of invalidating the run",
           flag(&RunConfig::allow_worker_loss)),
      make("controller.worker_silence_ms", {"CAST_WORKER_SILENCE_MS"}, "", Kind::integer,
           "a worker silent this long is lost, ms",
           [](RunConfig& c, const std::string& v) {
             c.worker_silence = std::chrono::milliseconds{parse_integer(v, 300, 60'000)};
           }),
      make("controller.reconnect_grace_ms", {"CAST_RECONNECT_GRACE_MS"}, "", Kind::integer,
           "a worker whose stream closed and is not back this long is lost, ms",
           [](RunConfig& c, const std::string& v) {
             c.reconnect_grace = std::chrono::milliseconds{parse_integer(v, 100, 60'000)};
           }),
      make("controller.tls_cert", {}, "tls-cert", Kind::text, "PEM certificate chain of the control plane",
           text(&RunConfig::tls_cert)),
      make("controller.tls_key", {}, "tls-key", Kind::text, "PEM private key of --tls-cert", text(&RunConfig::tls_key)),
      make("controller.tls_client_ca", {}, "tls-client-ca", Kind::text,
           "PEM CA that must have signed every worker's certificate (mutual TLS)", text(&RunConfig::tls_client_ca)),
      make("keep_data", {}, "keep-data", Kind::boolean, "leave this run's rows and keys in the stores (debugging)",
           flag(&RunConfig::keep_data)),
      make("no_cache", {"CAST_NO_CACHE"}, "no-cache", Kind::boolean,
           "embedded default: run initdb instead of copying the cached cluster", flag(&RunConfig::no_cache)),
  };
}

}  // namespace

const std::vector<Setting>& run_settings() {
  static const std::vector<Setting> all = [] {
    std::vector<Setting> out;
    for (auto group : {population_settings(), timing_settings(), criteria_settings(), load_settings(), chaos_settings(),
                       probe_settings(), target_settings(), output_settings()}) {
      out.insert(out.end(), group.begin(), group.end());
    }
    return out;
  }();
  return all;
}

const Setting* find_setting_by_key(const std::string& key) {
  for (const auto& s : run_settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace cast::controller
