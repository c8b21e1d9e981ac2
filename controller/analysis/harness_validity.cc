// A run only says something about the platform when the harness kept up:
// users started on schedule, no worker ran out of CPU, no worker vanished.

#include <algorithm>

#include "controller/analysis/case_judges.h"

namespace cast::controller {
namespace {

// A worker this busy may have delayed its users' steps itself.
constexpr double kSaturatedShare = 0.95;

void add_lag_reason(const RunRecord& record, const RunConfig& config, std::vector<std::string>& reasons) {
  auto limit_us = static_cast<std::int64_t>(config.max_schedule_lag_ms * 1000);
  const UserOutcome* worst = nullptr;
  std::size_t over = 0;
  for (const UserOutcome& user : record.users) {
    if (user.max_schedule_lag_us > limit_us) {
      ++over;
      if (worst == nullptr || user.max_schedule_lag_us > worst->max_schedule_lag_us) {
        worst = &user;
      }
    }
  }
  if (worst != nullptr) {
    reasons.push_back("harness lag: " + std::to_string(over) + " user(s) started a step late; worst " + worst->user_id +
                      " on worker " + worst->worker_id + " by " +
                      fixed(static_cast<double>(worst->max_schedule_lag_us) / 1000, 1) + " ms (limit " +
                      fixed(config.max_schedule_lag_ms, 1) + " ms)");
  }
}

void add_worker_reasons(const RunRecord& record, std::vector<std::string>& reasons) {
  for (const WorkerRecord& worker : record.workers) {
    std::string name = "worker " + worker.worker_id + " (" + worker.host + ", pid " + std::to_string(worker.pid) + ")";
    auto cores = std::max<std::uint32_t>(worker.cores, 1);
    double share = worker.peak_cpu_percent / (100.0 * cores);
    if (share >= kSaturatedShare) {
      reasons.push_back(name + " CPU saturated: peak " + fixed(worker.peak_cpu_percent, 1) +
                        " % of one core = " + fixed(share * 100, 1) + " % of its " + std::to_string(cores) +
                        " core(s)" + (worker.cores == 0 ? " (cores not reported)" : "") + " (limit " +
                        fixed(kSaturatedShare * 100, 0) + " %)");
    }
    // Lost before the go, its users ran elsewhere: the run is whole. Lost
    // after it, the run is invalid unless losses were allowed (then its
    // unfinished users are failed users, which the criteria count).
    bool redealt = worker.lost_phase.rfind("before the go", 0) == 0 && worker.users_lost == 0;
    if (worker.lost && !redealt && !record.worker_loss_allowed) {
      auto unfinished = std::count_if(record.users.begin(), record.users.end(), [&](const UserOutcome& user) {
        return user.lost && user.worker_id == worker.worker_id;
      });
      std::string phase = worker.lost_phase.empty() ? "" : " while " + worker.lost_phase;
      std::string why = worker.lost_reason.empty() ? "" : " (" + worker.lost_reason + ")";
      reasons.push_back(name + " was lost" + phase + why + " with " + std::to_string(unfinished) + " of its " +
                        std::to_string(worker.users) +
                        " users unfinished (--allow-worker-loss counts them as failed instead)");
    }
  }
}

// Each worker measures its own loops (a periodic ticker's lateness) and
// counts the exceptions its loops caught: a harness that lagged or erred
// may have delayed or lost work the platform is then blamed for.
void add_self_measurement_reasons(const RunRecord& record, const RunConfig& config, std::vector<std::string>& reasons) {
  for (const WorkerRecord& worker : record.workers) {
    double lag_ms = static_cast<double>(worker.max_loop_lag_us) / 1000;
    if (lag_ms > config.max_loop_lag_ms) {
      reasons.push_back("worker " + worker.worker_id + " event loop lagged " + fixed(lag_ms, 1) + " ms (limit " +
                        fixed(config.max_loop_lag_ms, 1) + " ms, thresholds.max_loop_lag_ms)");
    }
  }
  std::uint64_t errors = 0;
  std::string where;
  for (const WorkerRecord& worker : record.workers) {
    errors += worker.harness_errors;
    if (worker.harness_errors > 0) {
      where += (where.empty() ? "" : ", ") + worker.worker_id + " " + std::to_string(worker.harness_errors);
    }
  }
  if (errors > config.max_harness_errors) {
    reasons.push_back("harness errors: " + std::to_string(errors) +
                      " exception(s) caught in the workers' event loops (" + where + "; limit " +
                      std::to_string(config.max_harness_errors) + ", thresholds.max_harness_errors)");
  }
}

// Users lost without a worker record saying so (the worker never reported).
void add_orphan_reason(const RunRecord& record, std::vector<std::string>& reasons) {
  std::size_t orphans = 0;
  for (const UserOutcome& user : record.users) {
    bool worker_known_lost = std::any_of(record.workers.begin(), record.workers.end(), [&](const WorkerRecord& w) {
      return w.lost && w.worker_id == user.worker_id;
    });
    orphans += user.lost && !worker_known_lost && !record.worker_loss_allowed ? 1 : 0;
  }
  if (orphans > 0) {
    reasons.push_back(std::to_string(orphans) + " user(s) lost with their worker");
  }
}

}  // namespace

std::vector<std::string> harness_invalid_reasons(const RunRecord& record, const RunConfig& config) {
  std::vector<std::string> reasons;
  add_lag_reason(record, config, reasons);
  add_worker_reasons(record, reasons);
  add_self_measurement_reasons(record, config, reasons);
  add_orphan_reason(record, reasons);
  return reasons;
}

}  // namespace cast::controller
