#include "controller/cli/schema_command.h"

#include "common/log/logging.h"
#include "controller/environment/environment.h"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

namespace cast::controller {
namespace {

struct SchemaFlags {
  ServiceUrls urls;
  int wait_s{60};
};

// The run's own variables name the stores too, so that one environment
// serves `cast schema` and `cast controller` alike.
void fill_from_environment(std::string& url, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (!url.empty()) return;
    if (const char* value = std::getenv(name)) url = value;
  }
}

// Stores in containers come up in any order: retry until all answer.
int prepare(const SchemaFlags& flags) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{flags.wait_s};
  while (true) {
    try {
      prepare_schema(flags.urls);
      spdlog::info("cast schema: the stores are ready");
      return 0;
    } catch (const EnvironmentError& error) {
      if (std::chrono::steady_clock::now() >= deadline) {
        std::cerr << "cast schema: " << error.what() << "\n";
        return 3;
      }
      spdlog::info("cast schema: waiting: {}", error.what());
      std::this_thread::sleep_for(std::chrono::seconds{1});
    }
  }
}

}  // namespace

void add_schema_command(CLI::App& app) {
  auto flags = std::make_shared<SchemaFlags>();
  auto* command = app.add_subcommand("schema",
                                     "Create the platform's schema on stores started elsewhere "
                                     "(idempotent); also read from E2E_POSTGRES_URL, E2E_REDIS_URL, "
                                     "TEST_CLICKHOUSE_URL");
  command->add_option("--postgres-url", flags->urls.postgres, "PostgreSQL URL");
  command->add_option("--redis-url", flags->urls.redis, "Redis URL (checked with PING)");
  command->add_option("--clickhouse-url", flags->urls.clickhouse, "ClickHouse HTTP URL (?database=NAME, default cast)");
  command->add_option("--wait", flags->wait_s, "Seconds to keep retrying while a store is not up yet")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->callback([flags] {
    init_logging("cast-schema", LogLevel::info);
    fill_from_environment(flags->urls.postgres, {"E2E_POSTGRES_URL", "TEST_DATABASE_URL"});
    fill_from_environment(flags->urls.redis, {"E2E_REDIS_URL", "TEST_REDIS_URL"});
    fill_from_environment(flags->urls.clickhouse, {"TEST_CLICKHOUSE_URL"});
    if (flags->urls.postgres.empty() && flags->urls.redis.empty() && flags->urls.clickhouse.empty()) {
      std::cerr << "cast schema: no store given (--postgres-url, --redis-url, --clickhouse-url)\n";
      throw CLI::RuntimeError(2);
    }
    throw CLI::RuntimeError(prepare(*flags));
  });
}

}  // namespace cast::controller
