#include "worker/process/worker_run.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "worker/control/controller_link.h"
#include "worker/scenario/scenario.h"
#include "worker/session/user_engine.h"

namespace cast::worker {
namespace {

constexpr const char* kVersion = "0.1.0";

// Hands the users' events to the link, which numbers and queues them.
class LinkSink : public EventSink {
 public:
  explicit LinkSink(ControllerLink& link) : link_(link) {}
  void emit(cast::v1::Event&& event) override { link_.emit(std::move(event)); }

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

int run_users(ControllerLink& link, const cast::v1::Assignment& assignment, const WorkerOptions& options) {
  LinkSink sink{link};
  UserEngine engine{run_setup_from(assignment), sink, EngineOptions{options.threads, {}}};
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
  cast::v1::Done done;
  done.set_users_succeeded(summary.succeeded);
  done.set_users_failed(summary.failed);
  done.set_events_emitted(summary.events_emitted);
  link.report_done(done);
  spdlog::info("worker: {} users, {} succeeded, {} failed, {} events", summary.users, summary.succeeded, summary.failed,
               summary.events_emitted);
  return link.abort_reason() ? 4 : 0;
}

}  // namespace

int run_worker(const WorkerOptions& options) {
  ControllerLink link{link_config(options)};
  link.start();
  auto assignment = link.wait_for_assignment(options.assignment_timeout);
  if (!assignment) {
    spdlog::error("worker: no assignment from controller {}: {}", options.controller_address,
                  link.failure().value_or(link.abort_reason().value_or("timed out")));
    return 3;
  }
  int code = 0;
  try {
    code = run_users(link, *assignment, options);
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
