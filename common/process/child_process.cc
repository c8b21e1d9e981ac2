#include "common/process/child_process.h"
#include "common/process/exec_plan.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <thread>

namespace cast {
namespace {

using process_detail::ExecPlan;

// Where the child stopped before exec; reported to the parent through a pipe.
enum class ChildStep : int { setpgid, signals, chdir, credentials, pdeathsig, parent_gone, redirect, exec };

struct ChildFailure {
  ChildStep step{ChildStep::exec};
  int error{0};
};

const char* step_name(ChildStep step) {
  static const char* names[] = {"setpgid",      "signal reset", "chdir", "setuid/setgid", "prctl(PR_SET_PDEATHSIG)",
                                "parent check", "redirect",     "exec"};
  return names[static_cast<int>(step)];
}

[[noreturn]] void fail_in_child(int report_fd, ChildStep step) {
  ChildFailure failure{step, errno};
  [[maybe_unused]] auto written = ::write(report_fd, &failure, sizeof failure);
  ::_exit(127);
}

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void run_child(const ExecPlan& plan, int report_fd) {
  if (::setpgid(0, 0) != 0) {
    fail_in_child(report_fd, ChildStep::setpgid);
  }
  // Our mask (e.g. SIGTERM blocked for a sigwait thread) and ignored
  // signals survive exec; the server must see the defaults.
  sigset_t none;
  sigemptyset(&none);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
    ::sigaction(sig, &defaults, nullptr);
  }
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) {
    fail_in_child(report_fd, ChildStep::signals);
  }
  if (!plan.working_dir.empty() && ::chdir(plan.working_dir.c_str()) != 0) {
    fail_in_child(report_fd, ChildStep::chdir);
  }
  if (plan.credentials) {
    const auto& who = *plan.credentials;
    // setgroups with the list computed before fork is initgroups() without its allocations.
    if (::setgroups(who.groups.size(), who.groups.data()) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) {
      fail_in_child(report_fd, ChildStep::credentials);
    }
  }
  // After setuid: a credential change clears the parent-death signal.
  if (::prctl(PR_SET_PDEATHSIG, plan.death_signal) != 0) {
    fail_in_child(report_fd, ChildStep::pdeathsig);
  }
  // The parent may have died before prctl: then nobody will send the signal.
  if (::getppid() != plan.parent) {
    errno = ESRCH;
    fail_in_child(report_fd, ChildStep::parent_gone);
  }
  int out_fd = plan.log_fd >= 0 ? plan.log_fd : STDOUT_FILENO;
  int err_fd = plan.log_fd >= 0 ? plan.log_fd : STDERR_FILENO;
  if (::dup2(plan.stdin_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
      ::dup2(err_fd, STDERR_FILENO) < 0) {
    fail_in_child(report_fd, ChildStep::redirect);
  }
  // Descriptors of ours that lack O_CLOEXEC (sockets, files) must not leak
  // into servers that may outlive their use.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(plan.path.c_str(), plan.argv.data(), plan.envp.data());
  fail_in_child(report_fd, ChildStep::exec);
}

// Waits for the child's report: EOF means exec succeeded.
std::optional<ChildFailure> read_child_report(int report_fd) {
  ChildFailure failure;
  ssize_t got = 0;
  do {
    got = ::read(report_fd, &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    return failure;
  }
  return std::nullopt;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) {
    const char* text = ::sigdescr_np(signal);
    return "killed by signal " + std::to_string(signal) + " (" + (text ? text : "?") + ")";
  }
  return "exit code " + std::to_string(code);
}

ChildProcess::ChildProcess(const ProcessSpec& spec) : program_(spec.program), stop_signal_(spec.stop_signal) {
  ExecPlan plan = process_detail::make_plan(spec);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    process_detail::close_plan_fds(plan);
    throw ProcessError("cannot start " + program_ + ": pipe: " + std::strerror(errno));
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(report[0]);
    run_child(plan, report[1]);
  }
  int fork_error = errno;
  ::close(report[1]);
  process_detail::close_plan_fds(plan);
  if (pid_ < 0) {
    ::close(report[0]);
    throw ProcessError("cannot start " + program_ + ": fork: " + std::strerror(fork_error));
  }
  auto failure = read_child_report(report[0]);
  ::close(report[0]);
  if (failure) {
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    throw ProcessError("cannot start " + program_ + " (" + plan.path + "): " + step_name(failure->step) +
                       " failed: " + std::strerror(failure->error));
  }
}

ChildProcess::~ChildProcess() {
  try {
    terminate();
  } catch (...) {
    // A destructor must not throw; terminate() only fails on impossible waitpid errors.
  }
}

std::optional<ExitStatus> ChildProcess::peek_exit() {
  if (exit_ || reaped_) {
    return exit_;
  }
  siginfo_t info{};
  // WNOWAIT leaves the zombie in place so the group id stays ours.
  if (::waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
    return std::nullopt;
  }
  ExitStatus status;
  if (info.si_code == CLD_EXITED) {
    status.code = info.si_status;
  } else {
    status.signal = info.si_status;
  }
  exit_ = status;
  return exit_;
}

bool ChildProcess::running() { return !peek_exit().has_value(); }

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds{1};
  while (true) {
    if (auto status = peek_exit()) {
      return status;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds{20});
  }
}

void ChildProcess::signal_group(int sig) {
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, sig);
  }
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (reaped_) {
    return exit_.value_or(ExitStatus{});
  }
  if (!peek_exit()) {
    signal_group(stop_signal_);
    wait_for(grace);
  }
  // Also when the leader is gone already: its helpers may still run.
  signal_group(SIGKILL);
  int raw = 0;
  pid_t got = 0;
  do {
    got = ::waitpid(pid_, &raw, 0);
  } while (got < 0 && errno == EINTR);
  if (!exit_ && got == pid_) {
    exit_ = WIFEXITED(raw) ? ExitStatus{WEXITSTATUS(raw), 0} : ExitStatus{-1, WTERMSIG(raw)};
  }
  reaped_ = true;
  return exit_.value_or(ExitStatus{});
}

}  // namespace cast
