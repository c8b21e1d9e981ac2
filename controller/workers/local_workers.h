#pragma once

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/process/child_process.h"

namespace cast::controller {

struct LocalWorkerSpec {
  int count{0};                      // worker processes
  std::string controller_address{};  // HOST:PORT the workers dial
  std::string token{};               // shared worker token; empty = none
  int capacity_per_worker{0};        // users each worker declares it can run
  int threads_per_worker{1};         // event-loop threads in each worker
  std::filesystem::path log_dir{};   // worker output to <log_dir>/<worker id>.log; empty = inherit ours
};

struct LocalWorker {
  std::string worker_id;  // "local-1", "local-2", ...
  pid_t pid{0};
};

// A worker process that has exited, reported once.
struct WorkerExit {
  std::string worker_id;
  pid_t pid{0};
  ExitStatus status;
  std::string note() const;  // "worker local-2 (pid 812) exited: killed by signal 9 (Killed)"
};

// `cast-worker` processes on this host for `cast run`:
//   CAST_WORKER_TOKEN=S cast-worker --controller HOST:PORT --worker-id ID --capacity N --threads T
//
// Spawned with ChildProcess (fork+exec). gRPC does not survive fork in the
// child, but the child never touches gRPC: between fork and exec,
// child_process.cc makes only async-signal-safe calls (setpgid, sigaction,
// sigprocmask, chdir, setuid, prctl, dup2, close_range, execve), with every
// string prepared before fork. So spawning after the coordinator's gRPC
// server is up — which it must be, since workers need its port — is safe.
//
// PR_SET_PDEATHSIG ties each worker to the spawning *thread*: spawn from
// one that lives as long as the run (the main thread). Not thread-safe: the
// run loop owns it. The destructor terminates every worker still running.
class LocalWorkers {
 public:
  // `worker_binary` empty: cast-worker next to the running executable.
  explicit LocalWorkers(std::filesystem::path worker_binary = {});
  ~LocalWorkers();
  LocalWorkers(const LocalWorkers&) = delete;
  LocalWorkers& operator=(const LocalWorkers&) = delete;

  // Adds spec.count workers, numbered on from those already spawned.
  // Throws ProcessError naming the binary and worker when one cannot start;
  // the ones started before it keep running.
  void spawn(const LocalWorkerSpec& spec);

  const std::filesystem::path& binary() const { return binary_; }
  std::vector<LocalWorker> workers() const;
  std::vector<pid_t> pids() const;
  std::size_t alive();
  // Workers that exited since the last call, each reported once.
  std::vector<WorkerExit> reap_exited();
  // Stop signal to every worker at once, up to `grace` for all of them,
  // then SIGKILL. Returns the exits not reported by reap_exited() before.
  std::vector<WorkerExit> terminate_all(std::chrono::milliseconds grace = std::chrono::milliseconds{5'000});

 private:
  struct Entry {
    LocalWorker worker;
    std::unique_ptr<ChildProcess> process;
    bool reported{false};
  };

  std::filesystem::path binary_;
  std::vector<Entry> entries_;
};

// cast-worker next to /proc/self/exe.
std::filesystem::path default_worker_binary();

}  // namespace cast::controller
