#include "reference/backend/backend.h"

#include <spdlog/spdlog.h>

#include <random>

#include "reference/backend/backend_routes.h"

namespace cast::reference {
namespace {

std::string store_summary(const StoreOptions& stores) {
  auto describe = [](const std::string& url) { return url.empty() ? std::string("memory") : url; };
  return "postgres=" + describe(stores.postgres_url) + " redis=" + describe(stores.redis_url) +
         " clickhouse=" + describe(stores.clickhouse_url);
}

}  // namespace

int run_backend(const BackendOptions& options) {
  Stores stores;
  try {
    stores = open_stores(options.stores);
  } catch (const std::exception& e) {
    spdlog::error("backend: cannot open stores: {}", e.what());
    return 3;
  }
  auto seed = options.seed.value_or(std::random_device{}());
  FaultPlan faults(options.faults, seed);
  AgentPlatform platform(options.platform, std::move(stores), faults);
  BackendRoutes routes(platform);
  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(options.server, routes);
  } catch (const std::exception& e) {
    spdlog::error("backend: {}", e.what());
    return 1;
  }
  spdlog::info("backend listening on http://{}:{} (stores: {}; faults: {}; seed {})", options.server.host,
               server->port(), store_summary(options.stores), faults.describe(), seed);
  server->run();
  // The store pool's pending work holds connections bound to the event
  // loops, so it must be gone before the loops are.
  platform.shutdown();
  server.reset();
  spdlog::info("backend stopped");
  return 0;
}

}  // namespace cast::reference
