#pragma once

#include <sys/types.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cast {

// Raised when a child cannot be started; the message names the program and
// the step that failed (lookup, log file, fork, setuid, exec, ...).
class ProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProcessSpec {
  std::string program{};                     // a path, or a name looked up in PATH
  std::vector<std::string> args{};           // without argv[0]
  std::map<std::string, std::string> env{};  // added to (or overriding) our environment
  std::filesystem::path working_dir{};       // empty: inherit ours
  std::string run_as_user{};                 // empty: stay who we are (needs root otherwise)
  std::filesystem::path log_file{};          // stdout+stderr appended here; empty: inherit
  int death_signal{SIGKILL};                 // sent to the child when its spawning thread dies
  int stop_signal{SIGTERM};                  // first signal of terminate()
};

struct ExitStatus {
  int code{-1};   // exit code, -1 when killed by a signal
  int signal{0};  // terminating signal, 0 when it exited
  bool success() const { return code == 0; }
  std::string describe() const;  // "exit code 3", "killed by signal 9 (Killed)"
};

// A child process in its own process group that never outlives us: the
// destructor terminates the whole group, and PR_SET_PDEATHSIG kills the
// child if we die without running destructors.
//
// PDEATHSIG fires when the *thread* that forked the child exits, not the
// process, so spawn from a thread that lives as long as the child should
// (main, or a long-lived service thread), never from a short-lived worker.
//
// Not thread-safe: one owner drives it. fork() is unsafe after gRPC has
// started, so spawn children before any gRPC use.
class ChildProcess {
 public:
  explicit ChildProcess(const ProcessSpec& spec);  // throws ProcessError
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& program() const { return program_; }
  bool running();
  // The exit status once the child has exited, waiting at most `timeout`.
  // The zombie is kept until terminate() so that its process group id
  // cannot be reused while we may still signal the group.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  // stop_signal to the group, up to `grace` for the child to exit, then
  // SIGKILL to the group (stragglers included) and reap. Idempotent.
  ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::milliseconds{5'000});
  // Sends `sig` to the whole process group while it exists.
  void signal_group(int sig);

 private:
  std::optional<ExitStatus> peek_exit();

  std::string program_;
  pid_t pid_{-1};
  int stop_signal_{SIGTERM};
  std::optional<ExitStatus> exit_;
  bool reaped_{false};
};

}  // namespace cast
