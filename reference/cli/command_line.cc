#include "reference/cli/command_line.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <iostream>
#include <map>

#include "common/log/logging.h"
#include "reference/auth/auth_service.h"
#include "reference/backend/backend.h"

namespace cast::reference {
namespace {

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

const std::map<std::string, Dialect> kDialects{{"v1", Dialect::v1}, {"ops", Dialect::ops}};

void add_server_options(CLI::App& command, ServerOptions& server, std::string& secret, std::string& kid,
                        Dialect& dialect) {
  command.add_option("--dialect", dialect, "Wire dialect: v1 (protocol.md) or ops (scenario-second-dialect.yaml)")
      ->transform(CLI::CheckedTransformer(kDialects, CLI::ignore_case));
  command.add_option("--host", server.host, "Address to bind (loopback by default)")->capture_default_str();
  command.add_option("--port", server.port, "Port to listen on (0: any free port, logged)")->capture_default_str();
  command.add_option("--secret", secret, "Shared HS256 secret of auth and backend")->required();
  command.add_option("--kid", kid, "Key id tokens carry in their header (default: none)");
  command.add_option("--threads", server.threads, "Event-loop threads (0: one per core)")->capture_default_str();
}

// "MIN:MAX" in milliseconds, 0 <= MIN <= MAX.
void parse_startup_range(const std::string& text, PlatformOptions& platform) {
  auto colon = text.find(':');
  long long low = -1;
  long long high = -1;
  auto parse = [](std::string_view part, long long& out) {
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), out);
    return error == std::errc{} && end == part.data() + part.size();
  };
  if (colon == std::string::npos || !parse(std::string_view(text).substr(0, colon), low) ||
      !parse(std::string_view(text).substr(colon + 1), high) || low < 0 || high < low) {
    throw UsageError("--startup-ms expects MIN:MAX in milliseconds with 0 <= MIN <= MAX, got '" + text + "'");
  }
  platform.startup_min = std::chrono::milliseconds{low};
  platform.startup_max = std::chrono::milliseconds{high};
}

struct BackendFlags {
  BackendOptions options;
  std::string startup_ms{"50:250"};
  std::vector<std::string> faults;
  std::uint64_t seed{0};
};

void add_backend_options(CLI::App& command, BackendFlags& flags) {
  auto& options = flags.options;
  add_server_options(command, options.server, options.platform.secret, options.platform.kid, options.platform.dialect);
  command.add_option("--postgres", options.stores.postgres_url, "PostgreSQL URL (default: in memory)");
  command.add_option("--redis", options.stores.redis_url, "Redis URL (default: in memory)");
  command.add_option("--redis-prefix", options.platform.redis_prefix, "Redis key prefix")->capture_default_str();
  command.add_option("--clickhouse", options.stores.clickhouse_url,
                     "ClickHouse HTTP URL, e.g. http://127.0.0.1:8123/?database=cast (default: in memory)");
  command.add_option("--pg-pool", options.stores.postgres_pool, "PostgreSQL connections, also store threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  command.add_option("--startup-ms", flags.startup_ms, "Simulated agent warm-up MIN:MAX in ms")->capture_default_str();
  command.add_option("--fault", flags.faults, "Fault mode NAME[:RATE], repeatable (see below)");
  command.add_option("--seed", flags.seed, "Seed of the fault dice and warm-up times (default: random)");
  command
      .add_option("--max-frame-bytes", options.platform.max_frame_bytes,
                  "Largest WebSocket frame served; larger ones get bad_request")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  command.footer(fault_help());
}

// Turns the flags that need more than CLI11's checks into options.
void finish_backend_options(CLI::App& command, BackendFlags& flags) {
  parse_startup_range(flags.startup_ms, flags.options.platform);
  for (const auto& text : flags.faults) {
    try {
      flags.options.faults.push_back(parse_fault_spec(text));
    } catch (const FaultSpecError& e) {
      throw UsageError(e.what());
    }
  }
  if (command.count("--seed") > 0) {
    flags.options.seed = flags.seed;
  }
  flags.options.platform.store_threads = flags.options.stores.postgres_pool;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{"cast-reference: the reference agent platform (auth and backend) with fault modes"};
  app.require_subcommand(1);
  AuthOptions auth;
  auto* auth_command = app.add_subcommand("auth", "Token service (POST /auth/token)");
  add_server_options(*auth_command, auth.server, auth.secret, auth.kid, auth.dialect);
  BackendFlags backend;
  auto* backend_command = app.add_subcommand("backend", "Agent backend (HTTP, WebSocket, REST state, /metrics)");
  add_backend_options(*backend_command, backend);
  try {
    app.parse(argc, argv);
    if (backend_command->parsed()) {
      finish_backend_options(*backend_command, backend);
    }
  } catch (const CLI::ParseError& e) {
    auto code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const UsageError& e) {
    std::cerr << "cast-reference: " << e.what() << "\n";
    return 2;
  }
  init_logging(auth_command->parsed() ? "auth" : "backend", LogLevel::info);
  return auth_command->parsed() ? run_auth(auth) : run_backend(backend.options);
}

}  // namespace cast::reference
