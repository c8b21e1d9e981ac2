#include "controller/workers/local_workers.h"

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <algorithm>

namespace cast::controller {
namespace {

std::vector<std::string> worker_args(const LocalWorkerSpec& spec, const std::string& worker_id) {
  return {"--controller", spec.controller_address,
          "--worker-id",  worker_id,
          "--capacity",   std::to_string(spec.capacity_per_worker),
          "--threads",    std::to_string(spec.threads_per_worker)};
}

}  // namespace

std::string WorkerExit::note() const {
  return "worker " + worker_id + " (pid " + std::to_string(pid) + ") exited: " + status.describe();
}

std::filesystem::path default_worker_binary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    throw ProcessError("cannot find cast-worker: reading /proc/self/exe: " + ec.message());
  }
  return self.parent_path() / "cast-worker";
}

LocalWorkers::LocalWorkers(std::filesystem::path worker_binary)
    : binary_(worker_binary.empty() ? default_worker_binary() : std::move(worker_binary)) {}

LocalWorkers::~LocalWorkers() {
  try {
    terminate_all();
  } catch (...) {
    // A destructor must not throw; each ChildProcess still kills its group in its own destructor.
  }
}

void LocalWorkers::spawn(const LocalWorkerSpec& spec) {
  if (::access(binary_.c_str(), X_OK) != 0) {
    throw ProcessError("cannot start local workers: " + binary_.string() + " is not an executable file");
  }
  if (!spec.log_dir.empty()) {
    std::filesystem::create_directories(spec.log_dir);
  }
  for (int i = 0; i < spec.count; ++i) {
    std::string worker_id = "local-" + std::to_string(entries_.size() + 1);
    // The token travels in the environment: a command line is visible to
    // every local user in ps.
    ProcessSpec process{.program = binary_.string(), .args = worker_args(spec, worker_id)};
    if (!spec.token.empty()) {
      process.env["CAST_WORKER_TOKEN"] = spec.token;
    }
    if (!spec.log_dir.empty()) {
      process.log_file = spec.log_dir / (worker_id + ".log");
    }
    auto child = std::make_unique<ChildProcess>(process);
    spdlog::debug("started worker {} (pid {}) for {}", worker_id, child->pid(), spec.controller_address);
    entries_.push_back({LocalWorker{worker_id, child->pid()}, std::move(child)});
  }
}

std::vector<LocalWorker> LocalWorkers::workers() const {
  std::vector<LocalWorker> out;
  for (const auto& entry : entries_) {
    out.push_back(entry.worker);
  }
  return out;
}

std::vector<pid_t> LocalWorkers::pids() const {
  std::vector<pid_t> out;
  for (const auto& entry : entries_) {
    out.push_back(entry.worker.pid);
  }
  return out;
}

std::size_t LocalWorkers::alive() {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](Entry& entry) { return entry.process->running(); }));
}

std::vector<WorkerExit> LocalWorkers::reap_exited() {
  std::vector<WorkerExit> exits;
  for (auto& entry : entries_) {
    if (entry.reported) {
      continue;
    }
    if (auto status = entry.process->wait_for(std::chrono::milliseconds{0})) {
      entry.reported = true;
      exits.push_back({entry.worker.worker_id, entry.worker.pid, *status});
    }
  }
  return exits;
}

std::vector<WorkerExit> LocalWorkers::terminate_all(std::chrono::milliseconds grace) {
  for (auto& entry : entries_) {
    if (entry.process->running()) {
      entry.process->signal_group(SIGTERM);
    }
  }
  // One grace period for all: each terminate() waits only for what is left of it.
  auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<WorkerExit> exits;
  for (auto& entry : entries_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto status = entry.process->terminate(std::max(left, std::chrono::milliseconds{0}));
    if (!entry.reported) {
      entry.reported = true;
      exits.push_back({entry.worker.worker_id, entry.worker.pid, status});
    }
  }
  return exits;
}

}  // namespace cast::controller
