#pragma once

// Internal to common/process: everything a forked child needs, prepared
// before fork, because between fork and exec only async-signal-safe calls
// are allowed (another thread may hold malloc's lock).

#include "common/process/child_process.h"

#include <sys/types.h>
#include <optional>
#include <string>
#include <vector>

namespace cast::process_detail {

struct Credentials {
  uid_t uid{0};
  gid_t gid{0};
  std::string home{};
  std::vector<gid_t> groups{};
};

struct ExecPlan {
  std::string path{};
  std::vector<std::string> argv_text{};
  std::vector<std::string> env_text{};
  std::vector<char*> argv{};
  std::vector<char*> envp{};
  std::string working_dir{};
  std::optional<Credentials> credentials{};
  int stdin_fd{-1};  // /dev/null, O_CLOEXEC
  int log_fd{-1};    // -1: inherit stdout/stderr
  int death_signal{SIGKILL};
  pid_t parent{0};
};

// Resolves the program, the user and the environment, opens stdin and the
// log file. Throws ProcessError naming the program.
ExecPlan make_plan(const ProcessSpec& spec);
// Closes the descriptors make_plan opened (in the parent, after fork).
void close_plan_fds(const ExecPlan& plan);

}  // namespace cast::process_detail
