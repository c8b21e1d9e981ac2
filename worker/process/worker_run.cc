#include "worker/process/worker_run.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "worker/control/controller_link.h"
#include "worker/probe/probe_round.h"
#include "worker/scenario/scenario.h"
#include "worker/process/self_usage.h"
#include "worker/session/user_engine.h"

namespace cast::worker {
namespace {

constexpr const char* kVersion = "0.1.0";
// After Done, how long a worker waits for a probe plan or the Release before
// it closes on its own; a controller that ends the stream ends it sooner.
constexpr std::chrono::minutes kReleaseWait{10};

// Hands the users' events to the link, which numbers and queues them.
class LinkSink : public EventSink {
 public:
  explicit LinkSink(ControllerLink& link) : link_(link) {}
  void emit_batch(std::vector<cast::v1::Event>&& events) override { link_.emit_batch(std::move(events)); }

 private:
  ControllerLink& link_;
};

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

ControllerLinkConfig link_config(const WorkerOptions& o) {
  ControllerLinkConfig config;
  config.controller_address = o.controller_address;
  config.auth_token = o.auth_token;
  config.tls = {.ca = o.tls_ca, .server_name = o.tls_server_name, .cert_chain = o.tls_cert, .private_key = o.tls_key};
  auto& hello = config.hello;
  hello.set_host(host_name());
  hello.set_pid(static_cast<std::uint32_t>(getpid()));
  hello.set_worker_id(o.worker_id.empty() ? hello.host() + "-" + std::to_string(hello.pid()) : o.worker_id);
  hello.set_capacity(o.capacity);
  hello.set_cores(o.threads);
  hello.set_version(kVersion);
  return config;
}

// Relays a controller's Abort to the engine while the users run.
class AbortWatch {
 public:
  AbortWatch(ControllerLink& link, UserEngine& engine)
      : thread_([this, &link, &engine] {
          while (!stop_) {
            if (auto reason = link.abort_reason()) {
              engine.abort("controller aborted the run: " + *reason);
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
          }
        }) {}
  ~AbortWatch() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The probe phase: plan rounds until the controller releases this worker
// (or ends the stream). Each round is answered with ProbeDone, even one
// that could not run, so the controller never waits on it in vain.
void serve_probe_rounds(ControllerLink& link, const cast::v1::Assignment& assignment,
                        std::chrono::steady_clock::time_point go, HealthBoard& health) {
  LinkSink sink{link};
  auto setup = run_setup_from(assignment);
  while (auto plan = link.wait_for_probe_plan(kReleaseWait)) {
    cast::v1::ProbeDone done;
    done.set_round(plan->round());
    try {
      auto summary = run_probe_round(setup, *plan, sink, go, {.health = &health.loop(0)});
      done.set_probes_run(summary.probes_run);
      done.set_probes_unanswered(summary.probes_unanswered);
    } catch (const std::exception& e) {
      spdlog::error("worker: probe round {} could not run: {}", plan->round(), e.what());
    }
    link.report_probe_done(done);
  }
}

template <typename Counts>
void fill_counts(const std::map<std::string, Counts>& from, google::protobuf::Map<std::string, std::uint32_t>& to) {
  for (const auto& [name, count] : from) {
    to[name] = static_cast<std::uint32_t>(count);
  }
}

cast::v1::Done done_message(const WorkerSummary& summary, const HealthBoard& health) {  // after the user loops stopped
  cast::v1::Done done;
  done.set_users_succeeded(summary.succeeded);
  done.set_users_failed(summary.failed);
  done.set_events_emitted(summary.events_emitted);
  done.set_harness_errors(summary.harness_errors);
  fill_counts(summary.errors_by_kind, *done.mutable_errors_by_kind());
  fill_counts(summary.failures_by_phase, *done.mutable_failures_by_phase());
  done.set_max_loop_lag_us(health.run_lag_us());
  return done;
}

// A ramp spreads this worker's users evenly over it; every worker does the
// same, so the run's starts interleave across the whole ramp.
std::chrono::microseconds ramp_step(const cast::v1::Assignment& assignment) {
  auto users = std::max(1, assignment.users_size());
  return std::chrono::microseconds{std::chrono::milliseconds{assignment.scenario().ramp_ms()}} / users;
}

int run_users(ControllerLink& link, const cast::v1::Assignment& assignment, const WorkerOptions& options,
              HealthBoard& health) {
  LinkSink sink{link};
  UserEngine engine{run_setup_from(assignment), sink, EngineOptions{options.threads, ramp_step(assignment), &health}};
  auto prepared = engine.prepare({assignment.users().begin(), assignment.users().end()});
  link.report_ready(static_cast<std::uint32_t>(prepared));
  auto go = link.wait_for_go(std::chrono::milliseconds{assignment.scenario().run_timeout_ms()} + std::chrono::minutes{1});
  if (!go) {
    spdlog::error("worker: no go from the controller ({})", link.abort_reason().value_or("timed out"));
    return 4;
  }
  WorkerSummary summary;
  {
    AbortWatch watch{link, engine};
    engine.start(*go);
    summary = engine.wait();
  }
  link.report_done(done_message(summary, health));
  spdlog::info("worker: {} users, {} succeeded, {} failed, {} events", summary.users, summary.succeeded, summary.failed,
               summary.events_emitted);
  if (!link.abort_reason()) {
    serve_probe_rounds(link, assignment, *go, health);
  }
  return link.abort_reason() ? 4 : 0;
}

// Called on the link's own thread only, so the usage reader needs no lock;
// the loops' figures come through the HealthBoard, which they publish to.
ControllerLink::HeartbeatSource heartbeat_source(std::shared_ptr<HealthBoard> health) {
  auto usage = std::make_shared<SelfUsage>();
  return [usage, health] {
    cast::v1::Heartbeat beat;
    beat.set_cpu_percent(usage->cpu_percent_since_last());
    beat.set_rss_bytes(SelfUsage::rss_bytes());
    beat.set_loop_lag_us(health->take_window_lag_us());
    auto totals = health->totals();
    beat.set_harness_errors(totals.harness_errors);
    fill_counts(totals.errors_by_kind, *beat.mutable_errors_by_kind());
    fill_counts(totals.failures_by_phase, *beat.mutable_failures_by_phase());
    beat.set_users_finished(totals.succeeded + totals.failed + totals.cancelled);
    return beat;
  };
}

}  // namespace

int run_worker(const WorkerOptions& options) {
  auto health = std::make_shared<HealthBoard>(options.threads);
  ControllerLink link{link_config(options), heartbeat_source(health)};
  link.start();
  auto assignment = link.wait_for_assignment(options.assignment_timeout);
  if (!assignment) {
    spdlog::error("worker: no assignment from controller {}: {}", options.controller_address,
                  link.failure().value_or(link.abort_reason().value_or("timed out")));
    return 3;
  }
  int code = 0;
  try {
    code = run_users(link, *assignment, options, *health);
  } catch (const ScenarioError& e) {
    spdlog::error("worker: bad scenario in the assignment: {}", e.what());
    code = 2;
  } catch (const std::exception& e) {
    spdlog::error("worker: cannot run the assigned users: {}", e.what());
    code = 3;
  }
  if (!link.close(std::chrono::seconds{30})) {
    spdlog::error("worker: events not all acknowledged by controller {}", options.controller_address);
    return code == 0 ? 4 : code;
  }
  return code;
}

}  // namespace cast::worker
