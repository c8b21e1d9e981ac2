#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/protocol/timeouts.h"
#include "controller/config/persistence_layout.h"

namespace cast::controller {

// Everything a run is told. Filled by load_run_config() from defaults, then
// YAML, then environment, then flags; nothing else reads the environment.
struct RunConfig {
  // Population and processes
  int users{100};           // CONCURRENT_TEST_USERS, --users; --quick makes it 20
  int workers{0};           // --workers; local worker processes, 0 = one per core
  std::uint64_t seed{0};    // --seed; 0 = random
  int users_per_tenant{4};  // --users-per-tenant, population.users_per_tenant: user i is in tenant i / N

  // Time limits
  std::chrono::milliseconds run_timeout{defaults::kRunTimeout};  // ms; CONCURRENT_TEST_TIMEOUT (s), --timeout
  std::chrono::milliseconds agent_startup_timeout{defaults::kAgentStartupTimeout};  // ms; AGENT_STARTUP_TIMEOUT (s)
  std::chrono::milliseconds token_timeout{defaults::kTokenTimeout};                 // ms; per token request
  std::chrono::milliseconds connect_timeout{defaults::kConnectTimeout};             // ms; per WebSocket connect
  std::chrono::milliseconds message_timeout{defaults::kMessageTimeout};             // ms; per message round trip
  // go -> common start, on each worker; unset: from the workers' measured
  // round trips (controller/run/start_offset.h)
  std::optional<std::chrono::milliseconds> start_offset{};

  // Criteria
  double max_agent_startup_s{5.0};        // MAX_AGENT_STARTUP_TIME, per agent (test case 1)
  double p95_limit_s{5.0};                // startup P95 (test case 3)
  double p99_limit_s{8.0};                // startup P99 (test case 3)
  double min_success_rate{0.95};          // MIN_SUCCESS_RATE, share of users
  double max_total_test_time_s{180};      // MAX_TOTAL_TEST_TIME
  double platform_memory_limit_mb{4096};  // resident memory of the platform
  double host_cpu_limit_percent{80};      // host CPU during the run
  double max_schedule_lag_ms{500};        // harness lag beyond which a run is invalid
  double max_loop_lag_ms{500};            // a worker event loop this late (its ticker) makes the run invalid
  std::uint64_t max_harness_errors{0};    // harness exceptions in the workers beyond which a run is invalid
  bool isolation_strict{true};            // ISOLATION_VALIDATION_STRICT: findings fail the run

  // Load shapes (Scenario.ramp_ms / hold_ms / hold_interval_ms)
  std::chrono::milliseconds ramp{0};               // --ramp, load.ramp_s: starts spread over this; 0 = one go
  std::chrono::milliseconds hold{0};               // --hold, load.hold_s: connections kept open after the session
  std::chrono::milliseconds hold_interval{5'000};  // load.hold_interval_s: one message this often while held

  // Chaos
  double cancel_rate{0};  // --cancel-rate, chaos.cancel_rate: share of users (0..1) that drop mid-request

  // Probes: attackers per worker and tenant crossing that send the forged
  // tokens (--forgery-attackers, probes.forgery_attackers; "all" = 0 = every one)
  std::size_t forgery_attackers{8};

  // Targets; all empty = the embedded default
  std::string auth_url;        // E2E_AUTH_SERVICE_URL
  std::string backend_url;     // E2E_BACKEND_URL
  std::string ws_url;          // E2E_WEBSOCKET_URL
  std::string postgres_url;    // E2E_POSTGRES_URL, TEST_DATABASE_URL
  std::string redis_url;       // E2E_REDIS_URL, TEST_REDIS_URL
  std::string clickhouse_url;  // TEST_CLICKHOUSE_URL
  std::string redis_prefix{"cast"};
  bool insecure_tls{false};                   // skip TLS peer verification (wss/https)
  std::vector<std::string> reference_faults;  // --reference-fault NAME[:RATE], embedded default only
  // The platform's JWT signing secret (E2E_JWT_SECRET, or the content of
  // --jwt-secret-file / targets.jwt_secret_file), so forgeries are signed
  // right. Never logged, never in a report.
  std::string jwt_secret;
  std::string jwt_secret_file;

  // Modes and outputs
  bool performance_only{false};  // --performance-only
  bool isolation_only{false};    // --isolation-only
  bool verbose{false};           // --verbose
  bool quiet{false};             // --quiet: no live progress line
  std::string scenario_file;     // YAML scenario; empty = protocol.md's default
  std::string report_file;       // JSON report, --report-file
  std::string junit_file;        // JUnit XML, --junit
  std::string html_file;         // self-contained HTML page, --html
  std::string log_file{"concurrent_test_run.log"};
  std::uint32_t payload_cap_bytes{16 * 1024};  // longest observed payload kept whole, bytes
  std::string metrics_listen;                  // host:port for the controller's /metrics; empty = off
  // Distributed runs (`cast controller`): workers on other hosts dial in.
  std::string listen{"127.0.0.1:0"};  // controller's gRPC address for workers; port 0 = any
  int expect_workers{0};              // remote workers to wait for; 0 = spawn local ones
  std::string worker_token;           // CAST_WORKER_TOKEN: shared secret workers must present; empty = random (local)
  std::chrono::milliseconds worker_wait{120'000};  // how long to wait for remote workers
  std::string worker_token_file;  // --token-file: the shared secret read from this file (wins over the variable)
  // A worker lost after the go makes the run invalid (exit 4) unless this
  // is set: then its unfinished users count as failed users.
  bool allow_worker_loss{false};                    // --allow-worker-loss
  std::chrono::milliseconds worker_silence{1'500};  // a worker silent this long is lost (controller.worker_silence_ms)
  // A worker whose stream closed and is not back within this is lost
  // (controller.reconnect_grace_ms); a brief break is repaired within it.
  std::chrono::milliseconds reconnect_grace{1'000};
  // TLS on the control plane (PEM files); mutual TLS when a client CA is given.
  std::string tls_cert;       // --tls-cert
  std::string tls_key;        // --tls-key
  std::string tls_client_ca;  // --tls-client-ca: workers must present a certificate signed by it
  bool keep_data{false};      // --keep-data: leave this run's rows and keys in the stores
  // --no-cache, CAST_NO_CACHE=1: the embedded PostgreSQL runs initdb instead
  // of copying the cluster template kept in $XDG_CACHE_HOME/cast.
  bool no_cache{false};
  // Where the platform keeps a run's data (YAML `persistence:`), parsed and
  // checked once when the YAML is loaded; defaults = protocol.md's layout.
  PersistenceLayout persistence;

  bool uses_embedded_platform() const { return auth_url.empty() && backend_url.empty() && ws_url.empty(); }
};

// A configuration mistake: `where` names the file and line, the variable or
// the flag; `what` says what is wrong. cast exits 2 on it.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& where, const std::string& what)
      : std::runtime_error(where + ": " + what), where_(where) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

}  // namespace cast::controller
