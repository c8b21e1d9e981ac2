#include "reference/store/clickhouse_startup_metrics_sink.h"
#include "reference/store/memory_agent_repository.h"
#include "reference/store/memory_context_cache.h"
#include "reference/store/memory_startup_metrics_sink.h"
#include "reference/store/postgres_agent_repository.h"
#include "reference/store/redis_context_cache.h"
#include "reference/store/stores.h"

namespace cast::reference {

namespace {

std::unique_ptr<AgentRepository> open_agents(const StoreOptions& options) {
  if (options.postgres_url.empty()) {
    return std::make_unique<MemoryAgentRepository>();
  }
  return std::make_unique<PostgresAgentRepository>(options.postgres_url, options.postgres_pool);
}

std::unique_ptr<ContextCache> open_contexts(const StoreOptions& options) {
  if (options.redis_url.empty()) {
    return std::make_unique<MemoryContextCache>(options.redis_pool);
  }
  return std::make_unique<RedisContextCache>(options.redis_url, options.redis_pool);
}

std::unique_ptr<StartupMetricsSink> open_metrics(const StoreOptions& options) {
  if (options.clickhouse_url.empty()) {
    return std::make_unique<MemoryStartupMetricsSink>();
  }
  return std::make_unique<ClickHouseStartupMetricsSink>(options.clickhouse_url, options.metrics_batch,
                                                        options.metrics_flush);
}

}  // namespace

Stores open_stores(const StoreOptions& options) {
  return Stores{
      .agents = open_agents(options),
      .contexts = open_contexts(options),
      .metrics = open_metrics(options),
  };
}

}  // namespace cast::reference
