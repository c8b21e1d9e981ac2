#include "controller/cli/env_command.h"

#include "common/log/logging.h"
#include "common/process/teardown_on_signal.h"
#include "controller/environment/environment.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

namespace cast::controller {
namespace {

struct EnvFlags {
  bool no_postgres{false};
  bool no_redis{false};
  bool no_clickhouse{false};
  bool no_cache{false};
  int ready_timeout{60};  // seconds
};

nlohmann::json describe(const EmbeddedEnvironment& environment) {
  return {{"postgres", environment.urls().postgres},     {"redis", environment.urls().redis},
          {"clickhouse", environment.urls().clickhouse}, {"folder", environment.folder().string()},
          {"pids", environment.server_pids()},           {"startup_ms", environment.startup_time().count()}};
}

// A signal during start() waits for the lock, so it tears down a complete
// environment instead of racing a half-built one.
[[noreturn]] void serve(const EnvironmentOptions& options) {
  std::mutex mutex;
  std::unique_ptr<EmbeddedEnvironment> environment;
  TeardownOnSignal teardown([&](int signal) {
    std::lock_guard lock(mutex);
    spdlog::info("cast env: signal {}, tearing down", signal);
    environment.reset();
    return 0;
  });
  try {
    std::lock_guard lock(mutex);
    environment = EmbeddedEnvironment::start(options);
    std::cout << describe(*environment).dump() << std::endl;
  } catch (const EnvironmentError& error) {
    spdlog::error("cast env: {}", error.what());
    throw CLI::RuntimeError(3);
  }
  while (true) {
    std::this_thread::sleep_for(std::chrono::hours{1});
  }
}

}  // namespace

void add_env_command(CLI::App& app) {
  auto flags = std::make_shared<EnvFlags>();
  auto* command = app.add_subcommand("env",
                                     "Start private PostgreSQL, Redis and ClickHouse servers, print their "
                                     "URLs as one JSON line, and serve until SIGINT/SIGTERM");
  command->add_flag("--no-postgres", flags->no_postgres, "Do not start PostgreSQL");
  command->add_flag("--no-redis", flags->no_redis, "Do not start Redis");
  command->add_flag("--no-clickhouse", flags->no_clickhouse, "Do not start ClickHouse");
  command->add_flag("--no-cache", flags->no_cache, "Run initdb instead of copying the cached PostgreSQL cluster")
      ->envname("CAST_NO_CACHE");
  command->add_option("--ready-timeout", flags->ready_timeout, "Seconds to wait for the servers to answer")
      ->check(CLI::PositiveNumber);
  command->callback([flags] {
    init_logging("cast-env", LogLevel::info);
    EnvironmentOptions options;
    options.postgres = !flags->no_postgres;
    options.redis = !flags->no_redis;
    options.clickhouse = !flags->no_clickhouse;
    options.ready_timeout = std::chrono::seconds{flags->ready_timeout};
    if (!flags->no_cache) options.postgres_template_cache = user_cache_folder();
    serve(options);
  });
}

}  // namespace cast::controller
