#include "controller/run/run_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "controller/analysis/judge.h"
#include "controller/coordination/coordinator.h"
#include "controller/metrics/controller_metrics.h"
#include "controller/plan/population.h"
#include "controller/plan/split.h"
#include "controller/report/console_summary.h"
#include "controller/report/run_report.h"
#include "controller/run/assignment_builder.h"
#include "controller/run/contamination_phase.h"
#include "controller/run/control_plane.h"
#include "controller/run/event_inbox.h"
#include "controller/run/interruption.h"
#include "controller/run/persistence_phase.h"
#include "controller/run/platform_target.h"
#include "controller/run/run_loop.h"
#include "controller/workers/local_workers.h"

namespace cast::controller {
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

// Adds how long `phase` took to `seconds`: the report says where the
// controller's own time went.
template <class Phase>
void timed(double& seconds, Phase&& phase) {
  auto started = std::chrono::steady_clock::now();
  phase();
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
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

struct Harness {
  EventInbox inbox;
  controller::Coordinator coordinator;
  controller::LocalWorkers workers;

  explicit Harness(controller::CoordinatorConfig config)
      : coordinator(std::move(config), [this](const std::string& worker, std::vector<v1::Event>&& events) {
          inbox.push(worker, std::move(events));
        }) {}
};

std::size_t expected_workers(const RunConfig& config) {
  return static_cast<std::size_t>(config.expect_workers > 0 ? config.expect_workers : worker_count(config));
}

// The run loop itself stops early on Ctrl-C; before the go, waiting for
// workers stops too, and the run reports why.
class Interrupted : public std::runtime_error {
 public:
  Interrupted()
      : std::runtime_error("interrupted by signal " + std::to_string(interruption_signal()) + " before the go") {}
};

// Waits in short slices so that Ctrl-C is heard while workers are awaited.
std::vector<controller::WorkerSnapshot> wait_for_workers(controller::Coordinator& coordinator, std::size_t count,
                                                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (interruption_requested()) throw Interrupted{};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    try {
      return coordinator.wait_for_workers(count, std::clamp(left, 0ms, std::chrono::milliseconds{200}));
    } catch (const controller::CoordinationError&) {
      if (left > 200ms) continue;
      throw controller::CoordinationError("only " + std::to_string(coordinator.workers().size()) + " of " +
                                          std::to_string(count) + " workers attached within " +
                                          std::to_string(timeout.count()) + " ms");
    }
  }
}

// Local workers are spawned before the platform starts, so that they start
// and attach while it does; remote ones (`cast controller`) dial in themselves.
void spawn_local_workers(Harness& harness, const RunConfig& config, const std::string& token, std::uint16_t port) {
  if (config.expect_workers > 0) return;
  int count = worker_count(config);
  harness.workers.spawn({.count = count,
                         .controller_address = "127.0.0.1:" + std::to_string(port),
                         .token = token,
                         .capacity_per_worker = (config.users + count - 1) / count,
                         .threads_per_worker = 1,
                         .log_dir = {}});
}

// Returns the workers that said hello.
std::vector<controller::WorkerSnapshot> gather_workers(Harness& harness, const RunConfig& config, std::uint16_t port) {
  if (config.expect_workers > 0) {
    spdlog::info("waiting up to {} s for {} workers on {}:{}", config.worker_wait.count() / 1000, config.expect_workers,
                 config.listen.substr(0, config.listen.rfind(':')), port);
    return wait_for_workers(harness.coordinator, static_cast<std::size_t>(config.expect_workers), config.worker_wait);
  }
  return wait_for_workers(harness.coordinator, static_cast<std::size_t>(worker_count(config)), 30s);
}

// Until the go, a worker lost for good hands its users to the others (by
// capacity), who prepare them too; repeated until everyone left is ready.
void ready_everyone(Harness& harness, RunLoop& loop, const std::string& run_id, const std::vector<PlannedUser>& users,
                    const PlatformEndpoints& target, const RunConfig& config, const std::string& scenario) {
  std::set<std::string> handled;
  for (;;) {
    auto lost = harness.coordinator.wait_for_ready(60s);
    std::vector<std::string> fresh;
    for (auto& id : lost) {
      if (handled.insert(id).second) fresh.push_back(id);
    }
    if (fresh.empty()) return;
    std::vector<controller::WorkerSnapshot> remaining;
    for (const auto& w : harness.coordinator.workers()) {
      if (!w.given_up) remaining.push_back(w);
    }
    for (const auto& id : fresh) {
      for (auto& [to, indices] : loop.redeal_before_go(id, remaining)) {
        harness.coordinator.assign(to, build_assignment(run_id, users, indices, target, config, scenario));
      }
    }
  }
}

// What a run collected so far, and why it stopped early when it did. Until
// the go the record holds only the planned users.
struct Session {
  std::ostream* console{nullptr};
  ProgressStyle progress{ProgressStyle::plain};
  RunRecord record;
  bool went{false};  // the go was sent and the run loop returned its record
  int stop_code{0};  // 3 or 4 when the run stopped early
  std::string stop_reason;

  void stop(int code, const std::string& reason) {
    spdlog::error("{}", reason);
    stop_code = code;
    stop_reason = reason;
  }
};

RunRecord planned_record(const std::string& run_id, const std::vector<PlannedUser>& users) {
  RunRecord record;
  record.run_id = run_id;
  record.users_planned = static_cast<std::uint32_t>(users.size());
  record.users.resize(users.size());
  for (std::uint32_t i = 0; i < users.size(); ++i) {
    record.users[i].index = i;
    record.users[i].user_id = users[i].user_id;
  }
  return record;
}

void drive_run(const RunConfig& config, const PlatformEndpoints& target, const std::vector<PlannedUser>& users,
               const std::string& scenario, PersistencePhase& persistence, Harness& harness, std::uint16_t port,
               Session& session) {
  ProgressReporter progress{*session.console, session.progress};
  auto connected = gather_workers(harness, config, port);
  const auto& run_id = session.record.run_id;
  RunLoop loop{config, target, users, run_id, harness.coordinator, harness.inbox, harness.workers, progress};
  loop.assign(assign_users(harness.coordinator, connected, run_id, users, target, config, scenario), connected);
  ready_everyone(harness, loop, run_id, users, target, config, scenario);
  persistence.before_go();
  session.record = loop.run();
  session.went = true;
  harness.coordinator.shutdown();
  harness.workers.terminate_all(5s);
}

// Every phase from the platform to the persistence checks; whatever stops
// the run early is recorded in the session, and what was collected stays.
void run_phases(const RunConfig& config, const std::vector<PlannedUser>& users, const std::string& run_key,
                const std::string& scenario, Session& session) {
  std::unique_ptr<PlatformTarget> target;
  try {
    // The control plane and local workers come up while the platform starts:
    // neither needs the other, and both take a while.
    auto control = control_plane_config(config, expected_workers(config));
    auto token = control.auth_token;  // local workers get it in their environment, never on a command line
    Harness harness{std::move(control)};
    auto port = harness.coordinator.start();
    spawn_local_workers(harness, config, token, port);
    target = PlatformTarget::open(config);
    PersistencePhase persistence{config, target->endpoints(), session.record.run_id, run_key};
    drive_run(config, target->endpoints(), users, scenario, persistence, harness, port, session);
    auto& timings = session.record.timings;
    timed(timings.contamination_scan_s,
          [&] { scan_for_contamination(session.record, users, config, session.record.run_id, run_key); });
    timed(timings.persistence_s, [&] { persistence.after_sessions(session.record, users); });
  } catch (const ConfigError&) {
    throw;
  } catch (const controller::MetricsListenError&) {
    throw;
  } catch (const PlatformUnreachable& e) {
    session.stop(3, std::string{"the platform could not be reached: "} + e.what());
  } catch (const controller::CoordinationError& e) {
    session.stop(4, std::string{"workers: "} + e.what() + (session.went ? "" : "; the run ended before the go"));
  } catch (const Interrupted& e) {
    session.stop(4, e.what());
  } catch (const std::exception& e) {
    session.stop(4, std::string{"the harness failed: "} + e.what());
  }
}

RunVerdict judge(const Session& session, const RunConfig& config, const std::vector<PlannedUser>& users) {
  if (!session.went) {
    return judge_unstarted_run(session.record, session.stop_reason, session.stop_code);
  }
  auto verdict = judge_run(session.record, config, users);
  if (interruption_requested()) {
    mark_stopped(verdict, "the run was interrupted by signal " + std::to_string(interruption_signal()), 4);
  }
  if (session.stop_code != 0) mark_stopped(verdict, session.stop_reason, session.stop_code);
  return verdict;
}

}  // namespace

int run_session(const RunConfig& config, std::ostream& console, ProgressStyle progress) {
  auto scenario = read_scenario(config);
  auto run_id = make_run_id();
  auto run_key = make_run_key();
  auto users = plan_population({.run_id = run_id,
                                .run_key = run_key,
                                .users = static_cast<std::size_t>(config.users),
                                .users_per_tenant = static_cast<std::size_t>(config.users_per_tenant)});
  spdlog::info("run {}: {} users", run_id, users.size());
  Session session;
  session.console = &console;
  session.progress = config.quiet ? ProgressStyle::quiet : progress;
  session.record = planned_record(run_id, users);
  run_phases(config, users, run_key, scenario, session);
  RunVerdict verdict;
  timed(session.record.timings.judge_s, [&] { verdict = judge(session, config, users); });
  RunReport report{session.record, verdict, config};
  auto written = write_reports(report);
  print_console_summary(console, report, written);
  // A report that could not be written is a usage error, unless the run
  // itself already says something worse.
  auto code = verdict.exit_code();
  return written.errors.empty() || code != 0 ? code : 2;
}

}  // namespace cast::controller
