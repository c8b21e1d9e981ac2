#include "worker/process/worker_run.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <optional>
#include <thread>

#include "worker/control/controller_link.h"
#include "worker/probe/probe_round.h"
#include "worker/process/orphan_guard.h"
#include "worker/process/self_usage.h"
#include "worker/scenario/scenario.h"
#include "worker/session/user_engine.h"

namespace cast::worker {
namespace {

constexpr const char* kVersion = "0.1.0";
// After Done, how long a worker waits for a probe plan or the Release before
// it closes on its own; a controller that ends the stream ends it sooner.
constexpr std::chrono::minutes kReleaseWait{10};
// After the controller is taken for dead, how long the users have to stop
// before the process ends itself (OrphanGuard): with the default 2 s silence
// deadline, every load stops within 5 s of the controller's death.
constexpr std::chrono::milliseconds kOrphanGrace{2'000};

// Hands the users' events to the link, which numbers and queues them, and
// notes the earliest step start among them (offset since the go), for Done.
// A step is reported at its end (or its failure): it began its duration
// before, which runs from its scheduled start, plus its lag.
class LinkSink : public EventSink {
 public:
  explicit LinkSink(ControllerLink& link) : link_(link) {}
  void emit_batch(std::vector<cast::v1::Event>&& events) override {
    for (const auto& event : events) {
      if (event.kind() == cast::v1::PHASE_FINISHED || event.kind() == cast::v1::USER_FAILED) {
        note_start(event.offset_us() - event.duration_us() + event.schedule_lag_us());
      }
    }
    link_.emit_batch(std::move(events));
  }
  // Called from every loop thread at once.
  void note_start(std::int64_t offset_us) {
    auto seen = first_start_us_.load(std::memory_order_relaxed);
    while (offset_us < seen && !first_start_us_.compare_exchange_weak(seen, offset_us, std::memory_order_relaxed)) {
    }
  }
  std::optional<std::int64_t> first_start_us() const {
    auto seen = first_start_us_.load(std::memory_order_relaxed);
    return seen == INT64_MAX ? std::nullopt : std::optional{seen};
  }

 private:
  ControllerLink& link_;
  std::atomic<std::int64_t> first_start_us_{INT64_MAX};
};

std::int64_t steady_us(std::chrono::steady_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

ControllerLinkConfig link_config(const WorkerOptions& o) {
  ControllerLinkConfig config;
  config.controller_address = o.controller_address;
  config.auth_token = o.auth_token;
  config.controller_silence = o.controller_silence;
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

// Why the users must stop now, if they must: the controller aborted the
// run, or it is lost (no orphan load).
std::optional<std::string> stop_reason(const ControllerLink& link) {
  if (auto reason = link.abort_reason()) {
    return "controller aborted the run: " + *reason;
  }
  if (link.controller_lost()) {
    return "controller lost: " + link.failure().value_or("silent");
  }
  return std::nullopt;
}

// Relays a controller's Abort, or its loss, to the engine while the users run.
class AbortWatch {
 public:
  AbortWatch(ControllerLink& link, UserEngine& engine)
      : thread_([this, &link, &engine] {
          while (!stop_) {
            if (auto reason = stop_reason(link)) {
              engine.abort(*reason);
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
// The phase is made at the first round (its URLs resolved then) and kept
// for the next: the users' tokens and the WebSockets left open go across.
void serve_probe_rounds(ControllerLink& link, const cast::v1::Assignment& assignment,
                        std::chrono::steady_clock::time_point go, HealthBoard& health, ProbeTokens tokens) {
  LinkSink sink{link};
  auto setup = run_setup_from(assignment);
  std::optional<ProbePhase> phase;
  while (auto plan = link.wait_for_probe_plan(kReleaseWait)) {
    spdlog::info("worker: probe round {} ({} attacks, {} read-backs)", plan->round(), plan->attacks_size(),
                 plan->readbacks_size());
    cast::v1::ProbeDone done;
    done.set_round(plan->round());
    try {
      auto stop = [&link] { return stop_reason(link).has_value(); };
      if (!phase) phase.emplace(setup, sink, go, std::move(tokens));
      auto summary = phase->run_round(*plan, {.health = &health.loop(0), .stop_requested = stop});
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
std::chrono::microseconds ramp_of(const cast::v1::Assignment& assignment) {
  return std::chrono::milliseconds{assignment.scenario().ramp_ms()};
}

// Until the go, the controller may deal this worker the users of a worker
// it lost (further assignment parts): each is prepared here like the first,
// and a new Ready counts every user held, which the go waits for.
std::optional<std::chrono::steady_clock::time_point> wait_for_go_preparing(ControllerLink& link, UserEngine& engine,
                                                                           std::size_t prepared,
                                                                           std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::uint32_t parts = 1;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto go = link.wait_for_go(std::max(left, std::chrono::milliseconds{0}));
    auto more = link.take_more_users();  // empty once the go came: a late part is refused there
    if (more.empty()) {
      return go;
    }
    for (const auto& part : more) {
      prepared += engine.prepare({part.users().begin(), part.users().end()});
      parts = std::max(parts, part.part() + 1);
      spdlog::info("worker: {} more user(s) taken over before the go (assignment part {})", part.users_size(),
                   part.part());
    }
    link.report_ready(static_cast<std::uint32_t>(prepared), parts);
  }
}

int run_users(ControllerLink& link, const cast::v1::Assignment& assignment, const WorkerOptions& options,
              HealthBoard& health) {
  LinkSink sink{link};
  UserEngine engine{run_setup_from(assignment), sink, EngineOptions{options.threads, ramp_of(assignment), &health}};
  auto prepared = engine.prepare({assignment.users().begin(), assignment.users().end()});
  link.report_ready(static_cast<std::uint32_t>(prepared));
  auto go = wait_for_go_preparing(
      link, engine, prepared,
      std::chrono::milliseconds{assignment.scenario().run_timeout_ms()} + std::chrono::minutes{1});
  if (!go) {
    spdlog::error("worker: no go from the controller ({})", stop_reason(link).value_or("timed out"));
    return 4;
  }
  WorkerSummary summary;
  {
    AbortWatch watch{link, engine};
    engine.start(*go);
    summary = engine.wait();
  }
  auto tokens = engine.take_granted_tokens();
  auto done = done_message(summary, health);
  done.set_go_worker_us(steady_us(*go));
  if (auto first = sink.first_start_us()) done.set_first_start_worker_us(steady_us(*go) + *first);
  link.report_done(done);
  spdlog::info("worker: {} users, {} succeeded, {} failed, {} events", summary.users, summary.succeeded, summary.failed,
               summary.events_emitted);
  if (!stop_reason(link)) {
    serve_probe_rounds(link, assignment, *go, health, std::move(tokens));
  }
  if (auto reason = stop_reason(link)) {
    spdlog::error("worker: load stopped, {}", *reason);
    return 4;
  }
  return 0;
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
  OrphanGuard guard{link, kOrphanGrace};
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
