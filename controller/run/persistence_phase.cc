#include "controller/run/persistence_phase.h"

#include <spdlog/spdlog.h>

#include "controller/cleanup/run_data_cleanup.h"
#include "controller/validators/persistence_validator.h"
#include "controller/validators/store_access.h"

namespace cast::controller {
namespace {

ServiceUrls stores_of(const PlatformEndpoints& target) {
  return ServiceUrls{target.postgres_url, target.redis_url, target.clickhouse_url};
}

// Ground truth from the workers: which agent each user was given.
HarnessView harness_view(const RunRecord& record) {
  HarnessView view;
  view.agents_started.assign(record.users.size(), 0);
  for (const UserOutcome& user : record.users) {
    if (user.agent_id.empty()) continue;
    view.agent_starter.emplace(user.agent_id, user.index);
    view.agents_started[user.index] = 1;
  }
  return view;
}

}  // namespace

PersistencePhase::PersistencePhase(const RunConfig& config, const PlatformEndpoints& target, std::string run_id,
                                   std::string run_key)
    : config_(config), target_(target), run_id_(std::move(run_id)), run_key_(std::move(run_key)) {}

bool PersistencePhase::has_stores() const {
  return !target_.postgres_url.empty() || !target_.redis_url.empty() || !target_.clickhouse_url.empty();
}

void PersistencePhase::before_go() {
  if (target_.redis_url.empty() || config_.performance_only) return;
  try {
    census_ = RedisKeyCensus::take(target_.redis_url, config_.persistence.redis, target_.redis_prefix, run_id_);
  } catch (const StoreError& e) {
    throw PlatformUnreachable(e.what());
  }
}

void PersistencePhase::after_sessions(RunRecord& record, const std::vector<PlannedUser>& users) {
  auto& evidence = record.isolation;
  if (config_.performance_only) return;
  if (!has_stores()) {
    evidence.persistence_note = "no store URLs given (E2E_POSTGRES_URL, E2E_REDIS_URL, TEST_CLICKHOUSE_URL)";
    return;
  }
  const auto& layout = config_.persistence;
  PersistenceScope scope{run_id_, run_key_, target_.redis_prefix, stores_of(target_), census_};
  scope.t_s = record.duration_s;
  PersistenceReport report;
  try {
    report = validate_persistence(users, harness_view(record), scope, layout);
  } catch (const StoreError& e) {
    throw PlatformUnreachable(e.what());
  }
  evidence.persistence_checked = true;
  evidence.findings.insert(evidence.findings.end(), report.findings.begin(), report.findings.end());
  spdlog::info("persistence: {} rows, {} keys, {} metric rows read; {} findings", report.postgres_rows,
               report.redis_keys, report.clickhouse_rows, report.findings.size());
  if (config_.keep_data) {
    record.notes.push_back("--keep-data: this run's rows and keys were left in the stores (run id " + run_id_ + ")");
    return;
  }
  auto counts =
      RunDataCleanup{CleanupScope{run_id_, target_.redis_prefix, stores_of(target_), report.keys_outside_prefix},
                     layout}
          .run();
  for (const auto& error : counts.errors) record.notes.push_back("cleanup: " + error);
}

}  // namespace cast::controller
