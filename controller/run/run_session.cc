#include "controller/run/run_session.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/crypto/encoding.h"
#include "common/crypto/hmac.h"
#include "common/identity/canary.h"
#include "controller/analysis/judge.h"
#include "controller/isolation/contamination_detector.h"
#include "controller/coordination/coordinator.h"
#include "controller/plan/population.h"
#include "controller/plan/split.h"
#include "controller/report/console_summary.h"
#include "controller/report/run_report.h"
#include "controller/run/assignment_builder.h"
#include "controller/run/event_inbox.h"
#include "controller/run/interruption.h"
#include "controller/run/persistence_phase.h"
#include "controller/run/platform_target.h"
#include "controller/run/run_loop.h"
#include "controller/workers/local_workers.h"

namespace cast {
namespace {

using namespace std::chrono_literals;

std::string read_scenario(const RunConfig& config) {
  if (config.scenario_file.empty()) return {};
  std::ifstream in{config.scenario_file};
  if (!in) throw ConfigError(config.scenario_file, "cannot read the scenario file");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int worker_count(const RunConfig& config) {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int wanted = config.workers > 0 ? config.workers : cores;
  return std::max(1, std::min(wanted, config.users));
}

// Deals the users to the connected workers and sends each its assignment.
std::vector<std::vector<std::uint32_t>> assign_users(controller::Coordinator& coordinator,
                                                     const std::vector<controller::WorkerSnapshot>& workers,
                                                     const std::string& run_id, const std::vector<PlannedUser>& users,
                                                     const PlatformEndpoints& target, const RunConfig& config,
                                                     const std::string& scenario) {
  std::vector<std::size_t> capacities;
  for (const auto& w : workers) capacities.push_back(w.hello.capacity());
  auto shares = split_users(users.size(), capacities);
  std::vector<std::vector<std::uint32_t>> dealt;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    std::vector<std::uint32_t> indices(shares[i].begin(), shares[i].end());
    coordinator.assign(workers[i].worker_id, build_assignment(run_id, users, indices, target, config, scenario));
    dealt.push_back(std::move(indices));
  }
  return dealt;
}

// Phase 2's verdict material: every payload any user saw, scanned for what
// belongs to someone else. The judge already checks each user's own
// agent_started echo, so the detector leaves that frame type to it.
void scan_for_contamination(RunRecord& record, const std::vector<PlannedUser>& users, const RunConfig& config,
                            const std::string& run_id, const std::string& run_key) {
  if (config.performance_only) return;
  DetectorOptions options;
  options.identity_echo_types = {"agent_state"};
  ContaminationDetector detector{options};
  auto report = detector.scan_with_notes(record, users, CanaryAuthority{run_id, run_key});
  auto& evidence = record.isolation;
  evidence.contamination_scanned = true;
  evidence.findings.insert(evidence.findings.end(), report.findings.begin(), report.findings.end());
  for (auto& note : report.notes) record.notes.push_back("contamination scan: " + note);
  spdlog::info("contamination scan: {} payloads, {} findings", report.payloads_scanned, report.findings.size());
}

RunVerdict judge(const RunRecord& record, const RunConfig& config, const std::vector<PlannedUser>& users) {
  auto verdict = judge_run(record, config, users);
  if (interruption_requested()) {
    verdict.kind = RunVerdictKind::invalid;
    verdict.invalid_reasons.push_back("the run was interrupted by signal " + std::to_string(interruption_signal()));
  }
  return verdict;
}

struct Harness {
  EventInbox inbox;
  controller::Coordinator coordinator;
  controller::LocalWorkers workers;

  Harness(const RunConfig& config, const std::string& token)
      : coordinator(coordinator_config(config, token),
                    [this](const std::string& worker, std::vector<v1::Event>&& events) {
                      inbox.push(worker, std::move(events));
                    }) {}

  static controller::CoordinatorConfig coordinator_config(const RunConfig& config, const std::string& token) {
    auto colon = config.listen.rfind(':');
    controller::CoordinatorConfig c{.auth_token = token};
    c.listen_host = config.listen.substr(0, colon);
    c.port = static_cast<std::uint16_t>(std::stoi(config.listen.substr(colon + 1)));
    return c;
  }
};

// Local workers are spawned here; remote ones (`cast controller`) are
// waited for. Returns the workers that said hello.
std::vector<controller::WorkerSnapshot> gather_workers(Harness& harness, const RunConfig& config,
                                                       const std::string& token, std::uint16_t port) {
  if (config.expect_workers > 0) {
    spdlog::info("waiting up to {} s for {} workers on {}:{}", config.worker_wait.count() / 1000,
                 config.expect_workers, config.listen.substr(0, config.listen.rfind(':')), port);
    return harness.coordinator.wait_for_workers(static_cast<std::size_t>(config.expect_workers), config.worker_wait);
  }
  int count = worker_count(config);
  harness.workers.spawn({.count = count,
                         .controller_address = "127.0.0.1:" + std::to_string(port),
                         .token = token,
                         .capacity_per_worker = (config.users + count - 1) / count,
                         .threads_per_worker = 1,
                         .log_dir = {}});
  return harness.coordinator.wait_for_workers(static_cast<std::size_t>(count), 30s);
}

RunRecord drive_run(const RunConfig& config, const PlatformEndpoints& target, const std::vector<PlannedUser>& users,
                    const std::string& run_id, const std::string& scenario, PersistencePhase& persistence) {
  auto token = config.worker_token.empty() ? hex_encode(random_bytes(16)) : config.worker_token;
  Harness harness{config, token};
  auto port = harness.coordinator.start();
  auto connected = gather_workers(harness, config, token, port);
  RunLoop loop{config, target, users, run_id, harness.coordinator, harness.inbox, harness.workers};
  loop.assign(assign_users(harness.coordinator, connected, run_id, users, target, config, scenario), connected);
  harness.coordinator.wait_for_ready(60s);
  persistence.before_go();
  auto record = loop.run();
  harness.coordinator.shutdown();
  harness.workers.terminate_all(5s);
  return record;
}

}  // namespace

int run_session(const RunConfig& config, std::ostream& console) {
  auto scenario = read_scenario(config);
  auto run_id = make_run_id();
  auto run_key = make_run_key();
  auto users = plan_population({.run_id = run_id, .run_key = run_key, .users = static_cast<std::size_t>(config.users)});
  spdlog::info("run {}: {} users", run_id, users.size());
  auto target = PlatformTarget::open(config);
  PersistencePhase persistence{config, target->endpoints(), run_id, run_key};
  auto record = drive_run(config, target->endpoints(), users, run_id, scenario, persistence);
  scan_for_contamination(record, users, config, run_id, run_key);
  persistence.after_sessions(record, users);
  auto verdict = judge(record, config, users);
  RunReport report{record, verdict, config};
  auto written = write_reports(report);
  print_console_summary(console, report, written);
  // A report that could not be written is a usage error, unless the run
  // itself already says something worse.
  auto code = verdict.exit_code();
  return written.errors.empty() || code != 0 ? code : 2;
}

}  // namespace cast
