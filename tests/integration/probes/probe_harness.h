#pragma once

// A small run with a probe phase, the way the run session drives one:
// a real Coordinator on 127.0.0.1, workers on threads of this process
// (by default the product's run_worker, each with its own ControllerLink
// and UserEngine), the real reference platform, and the controller's one
// event path (EventSink) collecting every event.

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "controller/coordination/coordinator.h"
#include "controller/plan/population.h"
#include "controller/plan/split.h"
#include "controller/probes/probe_judge.h"
#include "controller/probes/probe_phase.h"
#include "tests/support/grpc_callback_queue.h"
#include "tests/support/reference_platform.h"
#include "worker/process/worker_run.h"

namespace cast::test {

using namespace cast::controller;  // the code these tests exercise

using namespace std::chrono_literals;
inline constexpr auto kPatience = 120s;  // generous: the machine is shared
inline constexpr std::uint32_t kLongConnectTimeoutMs = 60'000;

// Every event the controller's sink handed over, per worker, in order.
class EventBook {
 public:
  controller::EventSink sink() {
    return [this](const std::string& worker_id, std::vector<v1::Event>&& events) {
      std::lock_guard lock(mutex_);
      for (auto& event : events) {
        by_worker_[worker_id].push_back(std::move(event));
      }
    };
  }
  std::map<std::string, std::vector<v1::Event>> by_worker() const {
    std::lock_guard lock(mutex_);
    return by_worker_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<v1::Event>> by_worker_;
};

// A worker's life on its thread; returns its exit code.
using WorkerBody = std::function<int(const std::string& controller_address, const std::string& worker_id)>;

inline int product_worker(const std::string& address, const std::string& worker_id) {
  worker::WorkerOptions options;
  options.controller_address = address;
  options.worker_id = worker_id;
  options.capacity = 100;
  return worker::run_worker(options);
}

struct ProbeRunResult {
  std::vector<PlannedUser> users;
  std::vector<std::string> worker_of_user;
  std::vector<std::string> agent_of_user;
  ProbePlanSet plans;
  ProbeOutcome outcome;
  std::chrono::steady_clock::duration probe_phase{};  // both rounds, wall time
  std::vector<ProbeResult> results;
  std::vector<Finding> findings;
  std::map<std::string, std::vector<v1::Event>> events;
  std::vector<controller::WorkerSnapshot> workers;
  std::vector<int> exit_codes;
};

inline v1::Assignment assignment_for(const ReferencePlatform& platform, const std::string& run_id,
                                     const std::vector<PlannedUser>& users, const std::vector<std::size_t>& share) {
  v1::Assignment assignment;
  assignment.set_run_id(run_id);
  assignment.set_payload_cap_bytes(16 * 1024);
  assignment.mutable_targets()->set_auth_url(platform.auth_url());
  assignment.mutable_targets()->set_backend_url(platform.backend_url());
  assignment.mutable_targets()->set_ws_url(platform.ws_url());
  assignment.set_jwt_secret(platform.secret());  // as cast run does for the embedded platform
  // Far longer than a probe round takes: a connect or handshake timer left
  // armed after its answer came would keep the round's loop alive that long.
  assignment.mutable_scenario()->set_connect_timeout_ms(kLongConnectTimeoutMs);
  for (auto index : share) {
    const auto& user = users[index];
    auto* spec = assignment.add_users();
    spec->set_index(static_cast<std::uint32_t>(index));
    spec->set_user_id(user.user_id);
    spec->set_tenant_id(user.tenant_id);
    spec->set_email(user.profile.email);
    spec->set_display_name(user.profile.display_name);
    spec->set_canary(user.canary);
    spec->set_request_id_prefix(user.request_id_prefix);
  }
  return assignment;
}

// Each user's agent, from the agent_started frame it received.
inline std::vector<std::string> agents_seen(const std::map<std::string, std::vector<v1::Event>>& events,
                                            std::size_t users) {
  std::vector<std::string> agents(users);
  for (const auto& [worker, list] : events) {
    for (const auto& event : list) {
      if (event.kind() == v1::FRAME_RECEIVED && event.phase() == v1::PHASE_START && !event.agent_id().empty() &&
          event.user_index() < users && agents[event.user_index()].empty()) {
        agents[event.user_index()] = event.agent_id();
      }
    }
  }
  return agents;
}

// Startup and session with `users` users on `worker_ids`, then the probe phase, then Release.
inline ProbeRunResult run_with_probes(const ReferencePlatform& platform, std::size_t users,
                                      const std::vector<std::string>& worker_ids, WorkerBody body = product_worker,
                                      const ProbePlanOptions& options = {}) {
  ProbeRunResult run;
  static int serial = 0;
  auto run_id = "probes-" + std::to_string(::getpid()) + "-" + std::to_string(++serial);
  // A tenant each: one victim per attacker, in another tenant.
  run.users =
      plan_population({.run_id = run_id, .run_key = std::string(32, 'k'), .users = users, .users_per_tenant = 1});
  keep_grpc_callback_queue();
  EventBook book;
  controller::Coordinator coordinator({}, book.sink());
  auto address = "127.0.0.1:" + std::to_string(coordinator.start());
  std::vector<std::thread> threads;
  run.exit_codes.resize(worker_ids.size(), -1);
  for (std::size_t i = 0; i < worker_ids.size(); ++i) {
    threads.emplace_back([&, i] { run.exit_codes[i] = body(address, worker_ids[i]); });
  }
  auto attached = coordinator.wait_for_workers(worker_ids.size(), kPatience);
  auto shares = split_users(users, std::vector<std::size_t>(attached.size(), 100));
  run.worker_of_user.resize(users);
  for (std::size_t w = 0; w < attached.size(); ++w) {
    for (auto index : shares[w]) {
      run.worker_of_user[index] = attached[w].worker_id;
    }
    coordinator.assign(attached[w].worker_id, assignment_for(platform, run_id, run.users, shares[w]));
  }
  coordinator.wait_for_ready(kPatience);
  coordinator.broadcast_go(20ms);
  CHECK(coordinator.wait_for_finish(kPatience));
  run.agent_of_user = agents_seen(book.by_worker(), users);
  run.plans = plan_probes(run.users, run.worker_of_user, run.agent_of_user, 7, options);
  auto probes_started = std::chrono::steady_clock::now();
  run.outcome = run_probe_phase(coordinator, run.plans, kPatience);
  run.probe_phase = std::chrono::steady_clock::now() - probes_started;
  run.workers = coordinator.workers();
  coordinator.release("probe test over");
  for (auto& thread : threads) {
    thread.join();
  }
  run.events = book.by_worker();
  for (const auto& [worker, list] : run.events) {
    for (const auto& event : list) {
      if (auto result = probe_result_of(worker, event)) {
        run.results.push_back(std::move(*result));
      }
    }
  }
  run.findings = judge_probes(run.users, run.results);
  return run;
}

inline std::size_t count_kind(const std::vector<Finding>& findings, FindingKind kind) {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.kind == kind; }));
}

}  // namespace cast::test
